package org.communitysso.gateway.admin;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.communitysso.gateway.error.Reason;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** 401 without (valid) credentials, 403 without the admin role: JSON like every other refusal of the API. */
public class AdminErrors {

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthenticated() {
        return json(Reason.UNAUTHENTICATED).header("WWW-Authenticate", "Bearer").header("WWW-Authenticate",
                ApiKeyMechanism.SCHEME).build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return json(Reason.FORBIDDEN).build();
    }

    private static Response.ResponseBuilder json(Reason reason) {
        return Response.status(reason.status()).header("Cache-Control", "no-store").type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", reason.code(), "message", reason.message()));
    }
}
