package org.communitysso.gateway.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/** Sign-on answers are personal and must never be cached, framed or leak their URL as a Referer. */
public class SecurityHeaders {

    static final String CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' https: http: data:; frame-ancestors 'none'; form-action 'self' https: http:";
    /** What every /auth answer carries (the cached-session route adds the same). */
    static final List<Map.Entry<String, String>> HEADERS = List.of(
            Map.entry("Cache-Control", "no-store"),
            Map.entry("Referrer-Policy", "no-referrer"),
            Map.entry("X-Content-Type-Options", "nosniff"),
            Map.entry("X-Frame-Options", "DENY"));

    @ServerResponseFilter
    public void addHeaders(ContainerRequestContext request, ContainerResponseContext response) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/auth") && !path.startsWith("/sso")) {
            return;
        }
        var headers = response.getHeaders();
        HEADERS.forEach(header -> headers.putSingle(header.getKey(), header.getValue()));
        // the pages' icons (web/Assets) are the same for everyone: a day in any cache
        if (headers.remove("X-Asset") != null) {
            headers.putSingle("Cache-Control", "public, max-age=86400");
        }
        // A page that set its own, stricter policy (the auto-submitting form's script nonce) keeps it.
        if (headers.containsKey("Content-Security-Policy")) {
            return;
        }
        headers.putSingle("Content-Security-Policy", CSP);
    }
}
