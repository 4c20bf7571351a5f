package org.communitysso.gateway.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/** Sign-on answers are personal and must never be cached, framed or leak their URL as a Referer. */
public class SecurityHeaders {

    @ServerResponseFilter
    public void addHeaders(ContainerRequestContext request, ContainerResponseContext response) {
        if (!request.getUriInfo().getPath().startsWith("/auth")) {
            return;
        }
        var headers = response.getHeaders();
        // the pages' icons (web/Assets) are the same for everyone: a day in any cache
        headers.putSingle("Cache-Control", headers.remove("X-Asset") != null ? "public, max-age=86400" : "no-store");
        headers.putSingle("Referrer-Policy", "no-referrer");
        headers.putSingle("X-Content-Type-Options", "nosniff");
        headers.putSingle("X-Frame-Options", "DENY");
        // A page that set its own, stricter policy (the auto-submitting form's script nonce) keeps it.
        if (headers.containsKey("Content-Security-Policy")) {
            return;
        }
        headers.putSingle("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                + "img-src 'self' https: http: data:; frame-ancestors 'none'; form-action 'self' https: http:");
    }
}
