package org.communitysso.gateway.audit;

import org.communitysso.gateway.error.Reason;
import org.jboss.logging.Logger;

/**
 * One line per security event under the {@code audit} log category. Carries
 * connector ids, account ids and reason codes only: never tokens, secrets,
 * emails or names.
 */
public final class Audit {

    private static final Logger LOG = Logger.getLogger("audit");

    private Audit() {
    }

    public static void signOnSucceeded(String connectorId, long accountId) {
        LOG.infof("event=sign_on outcome=success connector=%s account=%d", connectorId, accountId);
    }

    public static void signOnFailed(String connectorId, String reason, String detail) {
        LOG.warnf("event=sign_on outcome=failure connector=%s reason=%s detail=\"%s\"", connectorId, reason, sanitize(detail));
    }

    /** A refusal outside a sign-on answer (unknown connector, expired form…). */
    public static void requestRefused(String connectorId, String reason, String detail) {
        LOG.warnf("event=request_refused connector=%s reason=%s detail=\"%s\"", connectorId, reason, sanitize(detail));
    }

    /** The target itself is not logged: it is the attacker's text. */
    public static void returnUrlRefused() {
        LOG.warnf("event=return_url_refused reason=%s", Reason.INVALID_RETURN_URL.code());
    }

    public static void provisioned(String connectorId, long accountId) {
        LOG.infof("event=provision connector=%s account=%d", connectorId, accountId);
    }

    public static void linked(String connectorId, long accountId, String how) {
        LOG.infof("event=link connector=%s account=%d by=%s", connectorId, accountId, how);
    }

    /** {@code by}: who removed the sign-in method (the member, an operator). */
    public static void unlinked(String connectorId, long accountId, String by) {
        LOG.infof("event=unlink connector=%s account=%d by=%s", connectorId, accountId, by);
    }

    public static void syncSkipped(String connectorId, long accountId, String field, String reason) {
        LOG.warnf("event=sync_skipped connector=%s account=%d field=%s reason=%s", connectorId, accountId, field, reason);
    }

    public static void sessionRevoked(long accountId, String why, int count) {
        LOG.infof("event=session_revoked account=%d why=%s sessions=%d", accountId, why, count);
    }

    /**
     * A sign-off asked for by another site, held for the member to confirm.
     * {@code signal}: the header that showed it; {@code token}: missing or invalid (never its value).
     */
    public static void crossSiteSignOffRefused(long accountId, String signal, String token) {
        LOG.warnf("event=sign_off_refused reason=cross_site account=%d signal=%s token=%s", accountId, signal, token);
    }

    /** A one-time token handed to a site through the member's browser (never its value). */
    public static void ottIssued(String siteId, long accountId) {
        LOG.infof("event=ott_issued site=%s account=%d", siteId, accountId);
    }

    public static void ottExchanged(String siteId, long accountId) {
        LOG.infof("event=ott_exchanged site=%s account=%d", siteId, accountId);
    }

    /** {@code siteId}: the site that asked ("-" when its credentials failed); {@code reason}: a reason code. */
    public static void ottRefused(String siteId, String reason, String detail) {
        LOG.warnf("event=ott_refused site=%s reason=%s detail=\"%s\"", siteId, reason, sanitize(detail));
    }

    /** A site's sign-on ended with its gateway session; {@code why}: the session's end. */
    public static void siteSignedOff(String siteId, long accountId, String why) {
        LOG.infof("event=site_sign_off site=%s account=%d why=%s", siteId, accountId, why);
    }

    /** One attempt to hand a site its logout token: {@code outcome} delivered, retrying or failed. */
    public static void siteSignOffDelivery(String siteId, long accountId, int attempt, String outcome, String detail) {
        if (outcome.equals("delivered")) {
            LOG.infof("event=site_sign_off_delivery site=%s account=%d attempt=%d outcome=%s", siteId, accountId,
                    attempt, outcome);
        } else {
            LOG.warnf("event=site_sign_off_delivery site=%s account=%d attempt=%d outcome=%s detail=\"%s\"", siteId,
                    accountId, attempt, outcome, sanitize(detail));
        }
    }

    /** The IdP's answer to our single-logout request; the gateway session is already gone either way. */
    public static void idpSignOffAnswered(String connectorId, boolean success, String status) {
        if (success) {
            LOG.infof("event=idp_sign_off outcome=success connector=%s", connectorId);
        } else {
            LOG.warnf("event=idp_sign_off outcome=failure connector=%s status=\"%s\"", connectorId, sanitize(status));
        }
    }

    public static void sessionsSwept(int count) {
        LOG.infof("event=sessions_swept sessions=%d", count);
    }

    /** Details come from our own code, but keep a single line whatever they hold. */
    private static String sanitize(String detail) {
        if (detail == null) {
            return "";
        }
        String oneLine = detail.replaceAll("[\\r\\n\\t\"]", " ");
        return oneLine.length() > 300 ? oneLine.substring(0, 300) + "…" : oneLine;
    }
}
