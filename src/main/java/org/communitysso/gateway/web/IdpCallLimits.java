package org.communitysso.gateway.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.communitysso.gateway.config.GatewayConfig;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;

/**
 * A bulkhead per connector: at most {@code gateway.max-concurrent-idp-calls}
 * sign-on steps of one connector (the steps that may wait on its IdP, each
 * bounded by the connector's timeouts) run at once. When its IdP is slow, the
 * others are refused at once with {@code idp_unavailable} instead of taking
 * every worker thread from the other connectors and from uncached checks.
 */
@ApplicationScoped
public class IdpCallLimits {

    private final Map<String, Semaphore> permits = new ConcurrentHashMap<>();
    private final int limit;

    @Inject
    public IdpCallLimits(GatewayConfig config) {
        this(config.maxConcurrentIdpCalls());
    }

    IdpCallLimits(int limit) {
        this.limit = Math.max(1, limit);
    }

    public <T> T call(String connectorId, Supplier<T> step) {
        Semaphore semaphore = permits.computeIfAbsent(connectorId, id -> new Semaphore(limit));
        if (!semaphore.tryAcquire()) {
            throw new GatewayException(Reason.IDP_UNAVAILABLE, connectorId,
                    limit + " sign-ons already waiting on this identity provider");
        }
        try {
            return step.get();
        } finally {
            semaphore.release();
        }
    }
}
