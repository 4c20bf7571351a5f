package org.communitysso.gateway.web;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;

/**
 * The {@code email_taken} page again (Back, refresh), and the member's choice of
 * the method to prove the existing account with: then on to that method's sign-in,
 * whose answer links the waiting identity (web/SignOnFlow).
 */
@Path("/auth/link")
public class LinkResource {

    @Inject
    PendingLinks pendingLinks;
    @Inject
    LinkPage page;
    @Inject
    Cookies cookies;

    @GET
    public Response show(@CookieParam(Cookies.LINK) String linkId) {
        PendingLinks.Link link = live(linkId);
        return Response.status(Reason.EMAIL_TAKEN.status()).entity(page.render(link))
                .type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response choose(@CookieParam(Cookies.LINK) String linkId, @FormParam("csrf") String csrf,
            @FormParam("connector") String connectorId) {
        PendingLinks.Link link = live(linkId);
        if (!Secrets.constantTimeEquals(link.csrfToken(), csrf)) {
            throw new GatewayException(Reason.CSRF_INVALID, link.connectorId(), "link form token mismatch")
                    .withTarget(link.target());
        }
        boolean offered = page.proofs(link).stream().anyMatch(m -> m.id().equals(connectorId));
        if (!offered || !pendingLinks.choose(linkId, connectorId)) {
            throw new GatewayException(Reason.LINK_INVALID, link.connectorId(),
                    offered ? "pending link used or expired meanwhile" : "not a sign-in method of the account")
                    .withTarget(link.target());
        }
        return Response.seeOther(URI.create("/auth/" + connectorId + "/login?return_url="
                + URLEncoder.encode(link.target(), StandardCharsets.UTF_8))).build();
    }

    private PendingLinks.Link live(String linkId) {
        return pendingLinks.find(linkId).orElseThrow(() -> new GatewayException(Reason.LINK_INVALID,
                "no pending link for this browser, or it was used or expired"));
    }
}
