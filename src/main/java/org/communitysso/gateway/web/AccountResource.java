package org.communitysso.gateway.web;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.account.AccountOperations;
import org.communitysso.gateway.account.AccountService;
import org.communitysso.gateway.audit.Audit;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.communitysso.gateway.session.SessionService;

/**
 * {@code /auth/account}, the member's page (SPEC 11): their sign-in methods,
 * link another, remove one (never the last), sign out everywhere. Every form
 * carries a token only this session's cookie makes (as the sign-off form's), so
 * another site cannot post them; every change is an audit line and tells the
 * session caches ({@code SessionService.accountChanged}).
 */
@Path("/auth/account")
public class AccountResource {

    private static final String FORM_PURPOSE = "account";
    private static final java.util.regex.Pattern CONNECTOR_ID = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    @Inject
    SessionService sessions;
    @Inject
    AccountService accounts;
    @Inject
    AccountOperations operations;
    @Inject
    SignInMethods methods;
    @Inject
    PendingLinks pendingLinks;
    @Inject
    SignOnStates states;
    @Inject
    ReturnUrlPolicy returnUrls;
    @Inject
    Cookies cookies;

    private record Member(String sessionCookie, long accountId, String username) {
    }

    @GET
    public Response page(@CookieParam(Cookies.SESSION) String session, @QueryParam("linked") String linked,
            @QueryParam("unlinked") String unlinked, @QueryParam("return_url") String returnUrl) {
        Optional<Member> member = member(session);
        if (member.isEmpty()) {
            // sign in first, then come back here
            return Response.seeOther(URI.create("/auth/login?return_url=" + URLEncoder.encode("/auth/account",
                    StandardCharsets.UTF_8))).build();
        }
        long accountId = member.get().accountId();
        List<SignInMethods.Method> linkedMethods = accounts.links(accountId).stream()
                .map(l -> methods.of(l.connectorId())).toList();
        Set<String> linkedIds = linkedMethods.stream().map(SignInMethods.Method::id).collect(Collectors.toSet());
        List<SignInMethods.Method> available = methods.choices().stream().filter(m -> !linkedIds.contains(m.id()))
                .toList();
        // only names what the page itself lists: a crafted link cannot put words on the page
        String confirmation = linked != null && linkedIds.contains(linked)
                ? methods.of(linked).label() + " is now linked to your account. From now on it signs you in here too."
                : unlinked != null && !linkedIds.contains(unlinked) && methods.offered(unlinked)
                ? methods.of(unlinked).label() + " was removed from your account." : null;
        String continueUrl = returnUrl == null ? null : returnUrls.targetOrLanding(returnUrl);
        return html(Pages.account(member.get().username(), linkedMethods, available, formToken(session),
                confirmation, continueUrl, returnUrls.landingUrl()).render());
    }

    /** Starts a sign-on at {@code connector} whose identity joins this account (web/SignOnFlow). */
    @POST
    @Path("/link")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response link(@CookieParam(Cookies.SESSION) String session, @FormParam("csrf") String csrf,
            @FormParam("connector") String connectorId) {
        Member member = checked(session, csrf);
        if (connectorId == null || !methods.offered(connectorId)) {
            throw new GatewayException(Reason.UNKNOWN_CONNECTOR, null, "no sign-in method to link by that id");
        }
        if (accounts.links(member.accountId()).stream().anyMatch(l -> l.connectorId().equals(connectorId))) {
            throw new GatewayException(Reason.LINK_REFUSED, connectorId, "account already has this sign-in method");
        }
        String linkId = pendingLinks.create(member.accountId(), null, null, connectorId, "/auth/account");
        return Response.seeOther(URI.create("/auth/" + connectorId + "/login?return_url="
                + URLEncoder.encode("/auth/account", StandardCharsets.UTF_8))).cookie(cookies.link(linkId)).build();
    }

    @POST
    @Path("/unlink")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response unlink(@CookieParam(Cookies.SESSION) String session, @FormParam("csrf") String csrf,
            @FormParam("connector") String connectorId) {
        Member member = checked(session, csrf);
        // the form's text goes into audit lines only once it is shaped like a connector id
        if (connectorId == null || !CONNECTOR_ID.matcher(connectorId).matches()) {
            throw new GatewayException(Reason.NOT_FOUND, null, "no sign-in method named");
        }
        // never the last method; sessions opened through the removed one end with it
        operations.unlink(member.accountId(), connectorId, false);
        Audit.unlinked(connectorId, member.accountId(), "member");
        return Response.seeOther(URI.create("/auth/account?unlinked="
                + URLEncoder.encode(connectorId, StandardCharsets.UTF_8))).build();
    }

    @POST
    @Path("/sign-out-everywhere")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signOutEverywhere(@CookieParam(Cookies.SESSION) String session, @FormParam("csrf") String csrf) {
        Member member = checked(session, csrf);
        sessions.revokeAll(member.accountId(), "sign_out_everywhere");
        return Response.seeOther(URI.create(returnUrls.landingUrl())).cookie(cookies.clear(Cookies.SESSION)).build();
    }

    private Optional<Member> member(String session) {
        return sessions.check(session).flatMap(s -> accounts.view(s.accountId()))
                .map(a -> new Member(session, a.id(), a.username()));
    }

    /** The live member behind the cookie, and the form's token made from that same cookie. */
    private Member checked(String session, String csrf) {
        Member member = member(session).orElseThrow(() -> new GatewayException(Reason.NO_SESSION,
                "account form without a live session"));
        if (!Secrets.constantTimeEquals(formToken(session), csrf)) {
            throw new GatewayException(Reason.CSRF_INVALID, null, "account form token mismatch");
        }
        return member;
    }

    private String formToken(String session) {
        return states.sign(FORM_PURPOSE, Secrets.sha256Hex(session));
    }

    private static Response html(String body) {
        return Response.ok(body, MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).build();
    }
}
