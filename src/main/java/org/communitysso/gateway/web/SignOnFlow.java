package org.communitysso.gateway.web;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.account.AccountService;
import org.communitysso.gateway.account.EmailTaken;
import org.communitysso.gateway.account.SignOnOutcome;
import org.communitysso.gateway.audit.Audit;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ExternalIdentity;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.communitysso.gateway.identity.UserRecord;
import org.communitysso.gateway.identity.UserRecordNormaliser;
import org.communitysso.gateway.ops.SignOnEvents;
import org.communitysso.gateway.session.SessionService;
import org.jboss.logging.Logger;

/**
 * The spine after a connector verified the IdP's answer: normalise → match or
 * provision the account → open the session → send the member on. The account
 * and session work is one transaction: all of it happens, or none of it (a
 * failure while opening the new session leaves the browser's old one).
 */
@ApplicationScoped
public class SignOnFlow {

    private static final Logger LOG = Logger.getLogger(SignOnFlow.class);
    /** Conflicts come from concurrent first sign-ons of one member: the retry finds what the winner made. */
    private static final int MAX_ATTEMPTS = 6;

    private final UserRecordNormaliser normaliser;
    private final AccountService accounts;
    private final PendingSignOns pendingSignOns;
    private final SessionService sessions;
    private final Cookies cookies;
    /** Sign-ons for a disabled site (SPEC 7) open a session of their own instead of replacing the browser's. */
    @Inject
    SsoTargets ssoTargets;
    private final PendingLinks pendingLinks;
    private final LinkPage linkPage;
    private final SignOnEvents events;

    @Inject
    public SignOnFlow(UserRecordNormaliser normaliser, AccountService accounts, PendingSignOns pendingSignOns,
            SessionService sessions, Cookies cookies, PendingLinks pendingLinks, LinkPage linkPage,
            SignOnEvents events) {
        this.events = events;
        this.normaliser = normaliser;
        this.accounts = accounts;
        this.pendingSignOns = pendingSignOns;
        this.sessions = sessions;
        this.cookies = cookies;
        this.pendingLinks = pendingLinks;
        this.linkPage = linkPage;
    }

    /** What the sign-on needs besides the user record: from the IdP's answer, or kept with a pending sign-on. */
    record Context(Connector connector, String target, String idpSessionId, String signOffHandle,
            String previousSession) {
    }

    /**
     * Continues a verified sign-on; {@code previousSession} is the browser's old
     * session cookie, if any; {@code signOnCookie} what is left of its sign-on states;
     * {@code linkCookie} the browser's pending link (web/PendingLinks), if any: used up
     * when this sign-on is at the method the member chose to link with.
     */
    public Response finish(Connector connector, ExternalIdentity identity, String target, String previousSession,
            NewCookie signOnCookie, String linkCookie) {
        UserRecord record = normaliser.normalise(connector, identity);
        Optional<PendingLinks.Link> link = pendingLinks.take(linkCookie, connector.id());
        if (link.isPresent() && link.get().fromAccountPage()) {
            return linkToSignedInAccount(connector, record, link.get(), previousSession, signOnCookie);
        }
        Context context = new Context(connector,
                link.isPresent() ? confirmationUrl(link.get().connectorId(), target) : target,
                identity.idpSessionId(), identity.signOffHandle(), previousSession);
        Result result;
        try {
            result = complete(context, record, true, null, link.orElse(null));
        } catch (EmailTaken e) {
            if (link.isPresent()) {
                throw new GatewayException(Reason.LINK_ACCOUNT_MISMATCH, connector.id(),
                        "the sign-on to link with is not the account of the waiting identity (" + e.detail() + ")");
            }
            return offerLink(connector, record, target, e, signOnCookie);
        }
        if (result.opened() != null) {
            return link.isPresent() ? signedOn(context, result, signOnCookie, cookies.clear(Cookies.LINK))
                    : signedOn(context, result, signOnCookie);
        }
        String reason = result.needs().code();
        String formUsername = null;
        Optional<UserRecordNormaliser.UnusableUsername> unusable = normaliser.unusableUsername(connector, identity);
        if (result.needs() == SignOnOutcome.Why.USERNAME_MISSING && unusable.isPresent()) {
            // say why the IdP's username was not taken, and let the member start from it
            reason = ProfileResource.USERNAME_UNUSABLE;
            formUsername = unusable.get().value();
        }
        String pendingId = pendingSignOns.create(new PendingSignOns.Pending(connector.id(), record, target,
                Secrets.randomId(), reason, identity.idpSessionId(), identity.signOffHandle(), formUsername, null,
                false));
        events.profileRequired(connector.id(), result.needs().code());
        return Response.seeOther(URI.create("/auth/profile"))
                .cookie(cookies.pending(pendingId), signOnCookie)
                .build();
    }

    /** After linking: the account page says so, with a button on to where the member was going. */
    private static String confirmationUrl(String connectorId, String target) {
        return "/auth/account?linked=" + URLEncoder.encode(connectorId, StandardCharsets.UTF_8) + "&return_url="
                + URLEncoder.encode(target, StandardCharsets.UTF_8);
    }

    /**
     * {@code email_taken}: instead of a dead end, the refused identity waits (for the
     * sign-on timeout, in this browser only) to be linked once the member signs in to
     * the existing account, and the page offers that account's sign-in methods.
     */
    private Response offerLink(Connector connector, UserRecord record, String target, EmailTaken refusal,
            NewCookie signOnCookie) {
        Audit.signOnFailed(connector.id(), Reason.EMAIL_TAKEN.code(), refusal.detail());
        String linkId = pendingLinks.create(refusal.accountId(), connector.id(), record.id(), null, target);
        PendingLinks.Link link = pendingLinks.find(linkId).orElseThrow();
        return Response.status(Reason.EMAIL_TAKEN.status())
                .entity(linkPage.render(link))
                .type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .cookie(cookies.link(linkId), signOnCookie)
                .build();
    }

    /**
     * A link started on the account page: this sign-on's identity joins the account
     * this browser is signed in to (no new account, no new session). The browser
     * must still be signed in to that account.
     */
    private Response linkToSignedInAccount(Connector connector, UserRecord record, PendingLinks.Link link,
            String session, NewCookie signOnCookie) {
        Optional<SessionService.LiveSession> live = sessions.check(session);
        if (live.isEmpty() || live.get().accountId() != link.accountId()) {
            throw new GatewayException(Reason.LINK_INVALID, connector.id(),
                    "the browser is no longer signed in to the account that started the link");
        }
        boolean added = QuarkusTransaction.requiringNew().call(() ->
                accounts.link(link.accountId(), connector.id(), record.id()));
        if (added) {
            Audit.linked(connector.id(), link.accountId(), "account_page");
            sessions.accountChanged(link.accountId());
        }
        // back on the account page the member started from, which confirms it
        return Response.seeOther(URI.create("/auth/account?linked=" + URLEncoder.encode(connector.id(),
                        StandardCharsets.UTF_8)))
                .cookie(signOnCookie, cookies.clear(Cookies.LINK))
                .build();
    }

    /**
     * The account's session is open ({@code opened}), or the member must fill in the
     * sign-up form ({@code needs}); {@code linked}: the connector whose pending identity
     * was linked to the account in the same transaction.
     */
    record Result(SignOnOutcome.SignedOn account, SessionService.Opened opened, SignOnOutcome.Why needs,
            String linked) {
    }

    /**
     * Matches or provisions the account and opens its session, in one transaction,
     * retried as a whole on a conflict. {@code pendingId}: the pending sign-on this
     * completes, used up in the same transaction (so it is used once, and kept if anything fails).
     */
    Result complete(Context context, UserRecord record, boolean emailFromIdp, String pendingId) {
        return complete(context, record, emailFromIdp, pendingId, null);
    }

    /**
     * {@code link}: a pending link (after {@code email_taken}) this sign-on was made to
     * prove: it must sign in to that very account, and then the waiting identity is
     * linked in the same transaction; any other outcome is refused and nothing is
     * written ({@code link_account_mismatch}).
     */
    Result complete(Context context, UserRecord record, boolean emailFromIdp, String pendingId,
            PendingLinks.Link link) {
        Connector connector = context.connector();
        for (int attempt = 1;; attempt++) {
            try {
                Result result = QuarkusTransaction.requiringNew().call(() -> {
                    SignOnOutcome outcome = accounts.signOn(connector.id(), connector.settings().trustEmail(), record,
                            emailFromIdp);
                    if (link != null && !(outcome instanceof SignOnOutcome.SignedOn proved
                            && proved.accountId() == link.accountId())) {
                        throw new GatewayException(Reason.LINK_ACCOUNT_MISMATCH, connector.id(),
                                "the sign-on to link with is not the account of the waiting identity");
                    }
                    if (outcome instanceof SignOnOutcome.NeedsProfile needs) {
                        return new Result(null, null, needs.why(), null); // nothing written; the pending sign-on stays
                    }
                    if (pendingId != null && !pendingSignOns.consume(pendingId)) {
                        throw new GatewayException(Reason.PENDING_SIGN_ON_INVALID, connector.id(),
                                "the sign-up form was already submitted");
                    }
                    SignOnOutcome.SignedOn signedOn = (SignOnOutcome.SignedOn) outcome;
                    String linked = link != null && accounts.link(link.accountId(), link.connectorId(),
                            link.externalId()) ? link.connectorId() : null;
                    String previous = ssoTargets.boundSite(context.target()).isPresent() ? null
                            : context.previousSession();
                    SessionService.Opened opened = sessions.replace(previous,
                            new SessionService.Opening(signedOn.accountId(), connector.id(), record.id(),
                                    connector.settings().inactivityTimeout(), connector.settings().absoluteLifetime(),
                                    context.idpSessionId(), context.signOffHandle()));
                    return new Result(signedOn, opened, null, linked);
                });
                audit(connector.id(), result);
                if (result.account() != null && (result.account().profileChanged() || result.linked() != null)) {
                    sessions.accountChanged(result.account().accountId()); // other sessions' cached answers
                }
                return result;
            } catch (RuntimeException e) {
                if (!AccountService.isConflict(e) || attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
                LOG.debugf("sign-on conflict on connector %s, attempt %d: retrying", connector.id(), attempt);
            }
        }
    }

    /** After the commit, so no line tells of work that was rolled back. */
    private void audit(String connectorId, Result result) {
        if (result.account() == null) {
            return;
        }
        long accountId = result.account().accountId();
        if (result.account().provisioned()) {
            Audit.provisioned(connectorId, accountId);
        }
        if (result.account().linkedBy() != null) {
            Audit.linked(connectorId, accountId, result.account().linkedBy());
        }
        if (result.linked() != null) {
            Audit.linked(result.linked(), accountId, "member_proved_account_via_" + connectorId);
        }
        result.opened().replaced().ifPresent(old -> Audit.sessionRevoked(old.accountId(), "replaced", 1));
        Audit.signOnSucceeded(connectorId, accountId);
        events.succeeded(connectorId, accountId, result.account().provisioned(), result.account().linkedBy());
    }

    /** Sets the session cookie and sends the member to the target; a pending sign-up form in this browser is dropped. */
    Response signedOn(Context context, Result result, NewCookie... moreCookies) {
        return signedOnKeepingForm(context, result, moreCookies).cookie(cookies.clear(Cookies.PENDING)).build();
    }

    /**
     * The sign-up form's own success keeps its cookie, so Back to the used form finds where the member went.
     * A sign-on for a disabled site (SPEC 7) gets that site's own session cookie instead of the browser's.
     */
    Response.ResponseBuilder signedOnKeepingForm(Context context, Result result, NewCookie... moreCookies) {
        var lifetime = context.connector().settings().absoluteLifetime();
        NewCookie session = ssoTargets.boundSite(context.target())
                .map(site -> cookies.sso(SsoTargets.boundCookie(site), result.opened().token(),
                        cookies.sessionMaxAge(lifetime)))
                .orElseGet(() -> cookies.session(result.opened().token(), lifetime));
        return Response.status(Response.Status.FOUND).location(URI.create(context.target()))
                .cookie(session)
                .cookie(moreCookies);
    }
}
