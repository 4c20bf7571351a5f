package org.communitysso.gateway.web;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.account.AccountService;
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
    private final SignOnEvents events;

    @Inject
    public SignOnFlow(UserRecordNormaliser normaliser, AccountService accounts, PendingSignOns pendingSignOns,
            SessionService sessions, Cookies cookies, SignOnEvents events) {
        this.events = events;
        this.normaliser = normaliser;
        this.accounts = accounts;
        this.pendingSignOns = pendingSignOns;
        this.sessions = sessions;
        this.cookies = cookies;
    }

    /** What the sign-on needs besides the user record: from the IdP's answer, or kept with a pending sign-on. */
    record Context(Connector connector, String target, String idpSessionId, String signOffHandle,
            String previousSession) {
    }

    /**
     * Continues a verified sign-on; {@code previousSession} is the browser's old
     * session cookie, if any; {@code signOnCookie} what is left of its sign-on states.
     */
    public Response finish(Connector connector, ExternalIdentity identity, String target, String previousSession,
            NewCookie signOnCookie) {
        UserRecord record = normaliser.normalise(connector, identity);
        Context context = new Context(connector, target, identity.idpSessionId(), identity.signOffHandle(),
                previousSession);
        Result result = complete(context, record, true, null);
        if (result.opened() != null) {
            return signedOn(context, result, signOnCookie);
        }
        String pendingId = pendingSignOns.create(new PendingSignOns.Pending(connector.id(), record, target,
                Secrets.randomId(), result.needs().code(), identity.idpSessionId(), identity.signOffHandle()));
        events.profileRequired(connector.id(), result.needs().code());
        return Response.seeOther(URI.create("/auth/profile"))
                .cookie(cookies.pending(pendingId), signOnCookie)
                .build();
    }

    /** The account's session is open ({@code opened}), or the member must fill in the sign-up form ({@code needs}). */
    record Result(SignOnOutcome.SignedOn account, SessionService.Opened opened, SignOnOutcome.Why needs) {
    }

    /**
     * Matches or provisions the account and opens its session, in one transaction,
     * retried as a whole on a conflict. {@code pendingId}: the pending sign-on this
     * completes, used up in the same transaction (so it is used once, and kept if anything fails).
     */
    Result complete(Context context, UserRecord record, boolean emailFromIdp, String pendingId) {
        Connector connector = context.connector();
        for (int attempt = 1;; attempt++) {
            try {
                Result result = QuarkusTransaction.requiringNew().call(() -> {
                    SignOnOutcome outcome = accounts.signOn(connector.id(), connector.settings().trustEmail(), record,
                            emailFromIdp);
                    if (outcome instanceof SignOnOutcome.NeedsProfile needs) {
                        return new Result(null, null, needs.why()); // nothing written; the pending sign-on stays
                    }
                    if (pendingId != null && !pendingSignOns.consume(pendingId)) {
                        throw new GatewayException(Reason.PENDING_SIGN_ON_INVALID, connector.id(),
                                "the sign-up form was already submitted");
                    }
                    SignOnOutcome.SignedOn signedOn = (SignOnOutcome.SignedOn) outcome;
                    SessionService.Opened opened = sessions.replace(context.previousSession(),
                            new SessionService.Opening(signedOn.accountId(), connector.id(), record.id(),
                                    connector.settings().inactivityTimeout(), connector.settings().absoluteLifetime(),
                                    context.idpSessionId(), context.signOffHandle()));
                    return new Result(signedOn, opened, null);
                });
                audit(connector.id(), result);
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
        result.opened().replaced().ifPresent(old -> Audit.sessionRevoked(old.accountId(), "replaced", 1));
        Audit.signOnSucceeded(connectorId, accountId);
        events.succeeded(connectorId, accountId, result.account().provisioned(), result.account().linkedBy());
    }

    /** Sets the session cookie and sends the member to the target. */
    Response signedOn(Context context, Result result, NewCookie... moreCookies) {
        return Response.status(Response.Status.FOUND).location(URI.create(context.target()))
                .cookie(cookies.session(result.opened().token(), context.connector().settings().absoluteLifetime()),
                        cookies.clear(Cookies.PENDING))
                .cookie(moreCookies)
                .build();
    }
}
