package org.communitysso.gateway.ops;

import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/** Times {@code /auth/check} ({@code gateway_check_seconds}) from the edge, whatever answers it. */
public class CheckTiming {

    private static final String SAMPLE = CheckTiming.class.getName() + ".sample";

    @Inject
    GatewayMetrics metrics;

    @ServerRequestFilter
    public void start(ContainerRequestContext request) {
        if (isCheck(request)) {
            request.setProperty(SAMPLE, Timer.start());
        }
    }

    @ServerResponseFilter
    public void stop(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getProperty(SAMPLE) instanceof Timer.Sample sample) {
            sample.stop(metrics.checkTimer());
        }
    }

    private static boolean isCheck(ContainerRequestContext request) {
        return "/auth/check".equals(request.getUriInfo().getPath());
    }
}
