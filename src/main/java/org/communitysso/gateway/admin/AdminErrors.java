package org.communitysso.gateway.admin;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.communitysso.gateway.error.Reason;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * 401 without (valid) credentials, 403 without the admin role: JSON like every other refusal
 * of the API, and audited (these answers do not pass the response filters).
 */
public class AdminErrors {

    @Inject
    AdminAudit audit;

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthenticated(UriInfo uri, HttpServerRequest request) {
        audit.refused(request.method().name(), uri, 401, "-");
        return json(Reason.UNAUTHENTICATED).header("WWW-Authenticate", "Bearer").header("WWW-Authenticate",
                ApiKeyMechanism.SCHEME).build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri, HttpServerRequest request) {
        audit.refused(request.method().name(), uri, 403, audit.operator());
        return json(Reason.FORBIDDEN).build();
    }

    private static Response.ResponseBuilder json(Reason reason) {
        return Response.status(reason.status()).header("Cache-Control", "no-store").type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", reason.code(), "message", reason.message()));
    }
}
