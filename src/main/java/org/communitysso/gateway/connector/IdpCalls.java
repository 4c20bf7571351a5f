package org.communitysso.gateway.connector;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.Callable;

/**
 * Times the calls connectors make to IdPs as {@code gateway_idp_request_seconds{connector,call}}.
 * Connectors are built outside CDI, so this uses Micrometer's global registry, which Quarkus
 * feeds into the Prometheus one. {@code call}: discovery, token, userinfo, jwks, metadata, profile.
 */
public final class IdpCalls {

    private IdpCalls() {
    }

    public static <T> T time(String connectorId, String call, Callable<T> work) throws Exception {
        Timer.Sample sample = Timer.start();
        try {
            return work.call();
        } finally {
            sample.stop(Timer.builder("gateway.idp.request").description("Calls to identity providers").publishPercentileHistogram()
                    .tag("connector", connectorId).tag("call", call).register(Metrics.globalRegistry));
        }
    }

    /** {@link #time} for work that throws only unchecked exceptions. */
    public static <T> T timeUnchecked(String connectorId, String call, java.util.function.Supplier<T> work) {
        try {
            return time(connectorId, call, work::get);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
