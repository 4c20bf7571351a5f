package org.communitysso.gateway.web;

import jakarta.inject.Inject;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.communitysso.gateway.admin.ConnectorTests;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorRegistry;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;

/**
 * {@code GET /auth/{id}/test?ticket=…}: starts a test sign-on with a ticket from
 * {@code POST /admin/api/connectors/{id}/test}. The IdP's answer comes back to the usual
 * return URL; the sign-on state marks it as a test, and {@link ConnectorTestRun} reports it.
 */
@Path("/auth/{connector}/test")
public class ConnectorTestResource {

    @Inject
    ConnectorRegistry registry;
    @Inject
    ConnectorTests tests;
    @Inject
    SignOnStates states;
    @Inject
    Cookies cookies;
    @Inject
    GatewayUrls urls;

    @GET
    public Response start(@PathParam("connector") String connectorId, @QueryParam("ticket") String ticket,
            @CookieParam(Cookies.SIGN_ON) String existingStates, @Context UriInfo uriInfo) {
        Connector connector = registry.require(connectorId);
        String operator = tests.redeem(connector.id(), ticket).orElseThrow(() -> new GatewayException(
                Reason.TEST_TICKET_INVALID, connector.id(), "connector test ticket refused"));
        String id = states.newId();
        Connector.SignOnStart start = connector.start(new Connector.SignOnRequest(
                urls.returnUrl(connector, uriInfo), true, states.echoValue(id)));
        String state = states.create(id, connector.id(), ConnectorTestRun.target(operator), start.protocolData(),
                existingStates);
        if (start.formPost() != null) {
            return FormPostPage.answer(start.formPost(), cookies.signOn(state));
        }
        return Response.status(Response.Status.FOUND).location(start.redirect()).cookie(cookies.signOn(state)).build();
    }
}
