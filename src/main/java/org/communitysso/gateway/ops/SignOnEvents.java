package org.communitysso.gateway.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.communitysso.gateway.audit.AuditTrail;

/**
 * Where the edge reports how each sign-on ended, after the audit line: the
 * {@code gateway_sign_on_total} counters and the events the admin API shows
 * (per-connector status, audit). Never a token, email or name.
 */
@ApplicationScoped
public class SignOnEvents {

    @Inject
    GatewayMetrics metrics;
    @Inject
    AuditTrail trail;

    public void succeeded(String connectorId, long accountId, boolean provisioned, String linkedBy) {
        metrics.signOn(connectorId, GatewayMetrics.SUCCESS, null);
        if (provisioned) {
            metrics.provisioned(connectorId);
            trail.record(new AuditTrail.Entry("provision", "success", connectorId, accountId, null, null, null));
        }
        if (linkedBy != null) {
            metrics.linked(connectorId, linkedBy);
            trail.record(new AuditTrail.Entry("link", "success", connectorId, accountId, null, linkedBy, null));
        }
        trail.record(new AuditTrail.Entry("sign_on", "success", connectorId, accountId, null, null, null));
    }

    /** A verified member who must fill in the sign-up form first. */
    public void profileRequired(String connectorId, String why) {
        metrics.signOn(connectorId, GatewayMetrics.PROFILE_REQUIRED, why);
    }

    /** {@code detail}: our own text for operators (never tokens or personal data). */
    public void failed(String connectorId, String reason, String detail) {
        metrics.signOn(connectorId, GatewayMetrics.FAILURE, reason);
        trail.record(new AuditTrail.Entry("sign_on", "failure", connectorId, null, null, reason, detail));
    }
}
