package org.communitysso.gateway.web;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorRegistry;
import org.communitysso.gateway.connector.saml.SamlConnector;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.communitysso.gateway.session.SessionService;

/**
 * The SAML-only routes (SPEC 10): SP metadata, and the single logout endpoint
 * where the IdP sends its LogoutRequest or answers ours. The SAML work is the
 * connector's; this edge revokes sessions and redirects.
 */
@Path("/auth/{connector}/saml")
public class SamlResource {

    @Inject
    ConnectorRegistry registry;
    @Inject
    SessionService sessions;
    @Inject
    ReturnUrlPolicy returnUrls;
    @Inject
    Cookies cookies;
    @Inject
    GatewayUrls urls;
    @Inject
    SignOnStates states;

    @GET
    @Path("/metadata")
    public Response metadata(@PathParam("connector") String connectorId, @Context UriInfo uriInfo) {
        return Response.ok(saml(connectorId).metadata(urls.base(uriInfo)), "application/samlmetadata+xml")
                .header("Content-Disposition", "inline; filename=\"" + connectorId + "-sp-metadata.xml\"")
                .build();
    }

    @GET
    @Path("/slo")
    public Response sloRedirect(@PathParam("connector") String connectorId, @Context UriInfo uriInfo) {
        return slo(connectorId, new SamlConnector.SloMessage(uriInfo.getRequestUri().getRawQuery(), Map.of(),
                urls.base(uriInfo)));
    }

    @POST
    @Path("/slo")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response sloPost(@PathParam("connector") String connectorId, MultivaluedMap<String, String> form,
            @Context UriInfo uriInfo) {
        Map<String, String> fields = new HashMap<>();
        form.forEach((name, values) -> {
            if (values.size() != 1 || values.get(0).length() > SignOnResource.MAX_PARAMETER_LENGTH) {
                throw new GatewayException(Reason.TOKEN_MALFORMED, connectorId, "SLO form field repeated or too large");
            }
            fields.put(name, values.get(0));
        });
        if (fields.isEmpty()) {
            throw new GatewayException(Reason.TOKEN_MISSING, connectorId, "empty SLO form");
        }
        return slo(connectorId, new SamlConnector.SloMessage(null, fields, urls.base(uriInfo)));
    }

    private Response slo(String connectorId, SamlConnector.SloMessage message) {
        SamlConnector connector = saml(connectorId);
        SamlConnector.SloOutcome outcome = connector.handleSlo(message);
        outcome.idpSessionIds().forEach(id -> sessions.revokeByIdpSession(connector.id(), id, "idp_logout"));
        if (outcome.idpSessionPrefix() != null) {
            sessions.revokeByIdpSessionPrefix(connector.id(), outcome.idpSessionPrefix(), "idp_logout");
        }
        // after our own sign-off, RelayState is the id under which the edge kept the target
        URI next = outcome.redirect() != null ? outcome.redirect()
                : URI.create(states.takeSignOffTarget(connector.id(), outcome.relayState())
                        .orElse(returnUrls.landingUrl()));
        return Response.status(Response.Status.FOUND).location(next).cookie(cookies.clear(Cookies.SESSION)).build();
    }

    private SamlConnector saml(String connectorId) {
        Connector connector = registry.require(connectorId);
        if (!(connector instanceof SamlConnector saml)) {
            throw new GatewayException(Reason.UNKNOWN_CONNECTOR, connectorId, "not a saml2 connector");
        }
        return saml;
    }
}
