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
import java.util.Map;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorRegistry;
import org.communitysso.gateway.connector.IdpLogoutReceiver;
import org.communitysso.gateway.connector.MetadataPublisher;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.communitysso.gateway.session.SessionService;

/**
 * The routes a connector declares beyond login and return (SPEC 10): its
 * metadata ({@link MetadataPublisher}) and the endpoint its IdP sends logout
 * messages to ({@link IdpLogoutReceiver}). The connector verifies; this edge
 * revokes the sessions named and answers.
 */
// not login or return (SignOnResource's), signed-off (SessionResource's) nor test (ConnectorTestResource's):
// a template here would shadow them
@Path("/auth/{connector}/{endpoint: (?!login$|return$|signed-off$|test$)[a-z][a-z-]*(/[a-z][a-z-]*)?}")
public class ConnectorEndpointsResource {

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
    public Response get(@PathParam("connector") String connectorId, @PathParam("endpoint") String endpoint,
            @Context UriInfo uriInfo) {
        Connector connector = registry.require(connectorId);
        if (connector instanceof MetadataPublisher publisher && endpoint.equals(publisher.metadataPath())) {
            MetadataPublisher.Metadata metadata = publisher.metadata(urls.base(uriInfo));
            return Response.ok(metadata.body(), metadata.mediaType())
                    .header("Content-Disposition", "inline; filename=\"" + metadata.fileName() + "\"")
                    .build();
        }
        return logout(connector, endpoint, new IdpLogoutReceiver.LogoutMessage(uriInfo.getRequestUri().getRawQuery(),
                Map.of(), urls.base(uriInfo)));
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response post(@PathParam("connector") String connectorId, @PathParam("endpoint") String endpoint,
            MultivaluedMap<String, String> form, @Context UriInfo uriInfo) {
        Connector connector = registry.require(connectorId);
        Map<String, String> fields = SignOnResource.single(form);
        return logout(connector, endpoint, new IdpLogoutReceiver.LogoutMessage(null, fields, urls.base(uriInfo)));
    }

    private Response logout(Connector connector, String endpoint, IdpLogoutReceiver.LogoutMessage message) {
        if (!(connector instanceof IdpLogoutReceiver receiver) || !endpoint.equals(receiver.logoutPath())) {
            throw new GatewayException(Reason.NOT_FOUND, connector.id(), "connector has no endpoint '" + endpoint + "'");
        }
        IdpLogoutReceiver.IdpLogout logout = receiver.receiveLogout(message);
        logout.idpSessionIds().forEach(id -> sessions.revokeByIdpSession(connector.id(), id, "idp_logout"));
        if (logout.idpSessionPrefix() != null) {
            sessions.revokeByIdpSessionPrefix(connector.id(), logout.idpSessionPrefix(), "idp_logout");
        }
        if (logout.externalId() != null) {
            sessions.revokeByExternalId(connector.id(), logout.externalId(), "idp_logout");
        }
        if (!logout.frontChannel()) {
            return Response.ok().header("Cache-Control", "no-store").build();
        }
        // after our own sign-off, the IdP sends the member back with the id under which the edge kept the target
        URI next = logout.redirect() != null ? logout.redirect()
                : URI.create(states.takeSignOffTarget(connector.id(), logout.keptTargetId())
                        .orElse(returnUrls.landingUrl()));
        return Response.status(Response.Status.FOUND).location(next).cookie(cookies.clear(Cookies.SESSION)).build();
    }
}
