package org.communitysso.gateway.connector.oidc;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.communitysso.gateway.audit.Audit;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorRegistry;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.communitysso.gateway.session.SessionService;

/**
 * OpenID Connect Back-Channel Logout 1.0: the IdP posts a {@code logout_token};
 * the sessions it names (by {@code sid}, else by {@code sub}) are revoked. 200
 * when accepted, 400 with {@code {"error","message"}} when refused (section 2.8).
 */
@Path("/auth/{connector}/backchannel-logout")
public class BackChannelLogoutResource {

    @Inject
    ConnectorRegistry registry;
    @Inject
    SessionService sessions;

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response logout(@PathParam("connector") String connectorId, @FormParam("logout_token") String logoutToken) {
        Connector connector = registry.require(connectorId);
        if (!(connector instanceof OidcConnector oidc)) {
            throw new GatewayException(Reason.UNKNOWN_CONNECTOR, connectorId, "not an oidc connector");
        }
        OidcTokenVerifier.LogoutRequest request;
        try {
            request = oidc.verifyLogoutToken(logoutToken);
        } catch (GatewayException e) {
            Audit.signOnFailed(connectorId, e.reason().code(), "back-channel logout refused: " + e.detail());
            return Response.status(400).header("Cache-Control", "no-store").type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", e.reason().code(), "message", e.reason().message())).build();
        }
        // sid names one IdP session exactly; sub alone means every session of that user here.
        if (request.sid() != null) {
            sessions.revokeByIdpSession(connectorId, request.sid(), "idp_logout");
        } else {
            sessions.revokeByExternalId(connectorId, request.sub(), "idp_logout");
        }
        return Response.ok().header("Cache-Control", "no-store").build();
    }
}
