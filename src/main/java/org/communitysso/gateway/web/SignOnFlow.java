package org.communitysso.gateway.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.account.AccountService;
import org.communitysso.gateway.account.PendingSignOns;
import org.communitysso.gateway.account.SignOnOutcome;
import org.communitysso.gateway.audit.Audit;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ExternalIdentity;
import org.communitysso.gateway.identity.UserRecord;
import org.communitysso.gateway.identity.UserRecordNormaliser;
import org.communitysso.gateway.session.SessionService;

/**
 * The spine after a connector verified the IdP's answer: normalise → match or
 * provision the account → open the session → send the member on.
 */
@ApplicationScoped
public class SignOnFlow {

    private final UserRecordNormaliser normaliser;
    private final AccountService accounts;
    private final PendingSignOns pendingSignOns;
    private final SessionService sessions;
    private final Cookies cookies;

    @Inject
    public SignOnFlow(UserRecordNormaliser normaliser, AccountService accounts, PendingSignOns pendingSignOns,
            SessionService sessions, Cookies cookies) {
        this.normaliser = normaliser;
        this.accounts = accounts;
        this.pendingSignOns = pendingSignOns;
        this.sessions = sessions;
        this.cookies = cookies;
    }

    /**
     * Continues a verified sign-on; {@code previousSession} is the browser's old
     * session cookie, if any; {@code signOnCookie} what is left of its sign-on states.
     */
    public Response finish(Connector connector, ExternalIdentity identity, String target, String previousSession,
            NewCookie signOnCookie) {
        UserRecord record = normaliser.normalise(connector, identity);
        SignOnOutcome outcome = accounts.signOn(connector.id(), connector.settings().trustEmail(), record, true);
        if (outcome instanceof SignOnOutcome.SignedOn signedOn) {
            return signedOn(connector, signedOn.accountId(), record.id(), identity.idpSessionId(),
                    identity.signOffHandle(), target, previousSession, signOnCookie);
        }
        String reason = ((SignOnOutcome.NeedsProfile) outcome).reason();
        String pendingId = pendingSignOns.create(new PendingSignOns.Pending(connector.id(), record, target,
                Secrets.randomId(), reason, identity.idpSessionId(), identity.signOffHandle()));
        return Response.seeOther(URI.create("/auth/profile"))
                .cookie(cookies.pending(pendingId), signOnCookie)
                .build();
    }

    /** Opens the session (replacing the browser's previous one) and redirects to the target. */
    Response signedOn(Connector connector, long accountId, String externalId, String idpSessionId,
            String signOffHandle, String target, String previousSession, NewCookie... moreCookies) {
        if (previousSession != null) {
            sessions.revoke(previousSession, "replaced");
        }
        String token = sessions.open(new SessionService.Opening(accountId, connector.id(), externalId,
                connector.settings().inactivityTimeout(), connector.settings().absoluteLifetime(), idpSessionId,
                signOffHandle));
        Audit.signOnSucceeded(connector.id(), accountId);
        return Response.status(Response.Status.FOUND).location(URI.create(target))
                .cookie(cookies.session(token, connector.settings().absoluteLifetime()), cookies.clear(Cookies.PENDING))
                .cookie(moreCookies)
                .build();
    }

}
