package org.communitysso.gateway.web;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;

/**
 * The pages' few files: the favicon and a default icon per connector type.
 * Served under {@code /auth/assets/} (and the favicon at {@code /favicon.ico}
 * too) so a proxy that forwards only {@code /auth/} still serves them.
 */
@Path("/auth/assets")
public class Assets {

    private static final Map<String, String> FILES = Map.of(
            "favicon.ico", "image/x-icon",
            "favicon.svg", "image/svg+xml",
            "jwt.svg", "image/svg+xml",
            "oidc.svg", "image/svg+xml",
            "oauth2.svg", "image/svg+xml",
            "saml2.svg", "image/svg+xml",
            "facebook.svg", "image/svg+xml");

    /** The default icon of a connector type, for a connector without {@code icon}. */
    static String defaultIcon(String type) {
        return FILES.containsKey(type + ".svg") ? "/auth/assets/" + type + ".svg" : "/auth/assets/jwt.svg";
    }

    @GET
    @Path("{name}")
    public Response asset(@PathParam("name") String name) {
        return file(name);
    }

    static Response file(String name) {
        String type = FILES.get(name);
        InputStream in = type == null ? null : Assets.class.getResourceAsStream("/assets/" + name);
        if (in == null) {
            throw new GatewayException(Reason.NOT_FOUND, "no asset '" + name.replaceAll("[^\\w.-]", "?") + "'");
        }
        try (in) {
            // public and unchanging: the filter's no-store for /auth is for personal answers, not these
            return Response.ok(in.readAllBytes(), type).header("X-Asset", "1").build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
