package org.communitysso.gateway.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorRegistry;
import org.communitysso.gateway.connector.IdpProbe;
import org.communitysso.gateway.error.GatewayException;
import jakarta.annotation.PreDestroy;

/**
 * Whether each enabled connector's IdP documents (discovery, JWKS, SAML metadata) can be
 * had: probed in parallel, at most once per {@link #MAX_AGE} per connector, so readiness
 * probes and the admin API never hammer an IdP or wait on a slow one for long.
 */
@ApplicationScoped
public class IdpReachability {

    static final Duration MAX_AGE = Duration.ofSeconds(30);
    /** A probe still running after this is reported as failing (the connector's own timeouts end it). */
    private static final Duration WAIT = Duration.ofSeconds(3);

    public enum State { OK, FAILING, NOT_APPLICABLE }

    public record Result(State state, String detail, long checkedAt) {
    }

    @Inject
    ConnectorRegistry registry;
    @Inject
    TimeSource time;

    private final Map<String, Result> results = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Result>> running = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newFixedThreadPool(4, runnable -> {
        Thread thread = new Thread(runnable, "idp-probe");
        thread.setDaemon(true);
        return thread;
    });

    /** Every enabled connector's state, by id (probing those not checked recently). */
    public Map<String, Result> all() {
        List<Connector> enabled = registry.all().stream().filter(c -> c.settings().enabled()).toList();
        Map<String, CompletableFuture<Result>> pending = new LinkedHashMap<>();
        for (Connector connector : enabled) {
            pending.put(connector.id(), probe(connector));
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Result> answer = new LinkedHashMap<>();
        pending.forEach((id, future) -> {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                answer.put(id, future.get(left, TimeUnit.NANOSECONDS));
            } catch (Exception e) {
                answer.put(id, new Result(State.FAILING, "no answer within " + WAIT.toSeconds() + "s",
                        time.nowSeconds()));
            }
        });
        return answer;
    }

    public Result of(Connector connector) {
        try {
            return probe(connector).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return new Result(State.FAILING, "no answer within " + WAIT.toSeconds() + "s", time.nowSeconds());
        }
    }

    /** Forgets the last results, so the next question probes again (after a metadata refresh, in tests). */
    public void forget() {
        results.clear();
    }

    private CompletableFuture<Result> probe(Connector connector) {
        if (!(connector instanceof IdpProbe probe) || !probe.dependsOnIdp()) {
            return CompletableFuture.completedFuture(new Result(State.NOT_APPLICABLE, null, time.nowSeconds()));
        }
        Result known = results.get(connector.id());
        if (known != null && time.nowSeconds() - known.checkedAt() < MAX_AGE.toSeconds()) {
            return CompletableFuture.completedFuture(known);
        }
        synchronized (running) {
            // one probe per connector at a time; a finished one is replaced once its result is stale
            CompletableFuture<Result> current = running.get(connector.id());
            if (current != null && !current.isDone()) {
                return current;
            }
            String id = connector.id();
            CompletableFuture<Result> next = CompletableFuture.supplyAsync(() -> {
                Result result;
                try {
                    probe.probe();
                    result = new Result(State.OK, null, time.nowSeconds());
                } catch (GatewayException e) {
                    result = new Result(State.FAILING, e.detail(), time.nowSeconds());
                } catch (RuntimeException e) {
                    result = new Result(State.FAILING, e.getClass().getSimpleName(), time.nowSeconds());
                }
                results.put(id, result);
                return result;
            }, executor);
            running.put(id, next);
            return next;
        }
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }
}
