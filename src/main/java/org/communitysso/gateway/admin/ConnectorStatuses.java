package org.communitysso.gateway.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.audit.AuditTrail;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorRegistry;
import org.communitysso.gateway.connector.MetadataPublisher;
import org.communitysso.gateway.ops.IdpReachability;

/**
 * Each connector's health as an operator reads it: {@code failing} when its IdP's documents
 * cannot be had, or when in the last hour its sign-ons failed for reasons on the IdP's side
 * (or failed at least {@value #FAILING_AT} times without one success); {@code degraded} when
 * at least a quarter of the last hour's sign-ons failed; else {@code ok}.
 */
@ApplicationScoped
public class ConnectorStatuses {

    static final int FAILING_AT = 5;
    private static final long HOUR = 3600;
    /** Refusals that point at the IdP or the connector's configuration, not at the member. */
    private static final Set<String> IDP_SIDE = Set.of("idp_unavailable", "profile_invalid", "unknown_key",
            "issuer_invalid", "audience_invalid", "signature_invalid", "algorithm_not_allowed");

    @Inject
    ConnectorRegistry registry;
    @Inject
    IdpReachability reachability;
    @Inject
    AuditTrail trail;
    @Inject
    TimeSource time;

    public record LastError(String reason, long at) {
    }

    public record Status(String id, String type, String label, boolean enabled, boolean testing, String status,
            String idp, String idpDetail, LastError lastError, Map<String, Long> signOnsLastHour,
            String spMetadataUrl) {
    }

    public List<Status> all(String baseUrl) {
        Map<String, IdpReachability.Result> idps = reachability.all();
        long since = time.nowSeconds() - HOUR;
        return registry.all().stream().map(connector -> status(connector, idps.get(connector.id()), since, baseUrl))
                .toList();
    }

    private Status status(Connector connector, IdpReachability.Result idp, long since, String baseUrl) {
        AuditTrail.ConnectorActivity activity = trail.activity(connector.id(), since);
        AuditTrail.Stored last = activity.lastFailure();
        boolean unreachable = idp != null && idp.state() == IdpReachability.State.FAILING;
        boolean recentIdpFault = last != null && last.at() >= since && IDP_SIDE.contains(last.reason())
                && activity.successes() == 0;
        String status = unreachable || recentIdpFault
                || (activity.failures() >= FAILING_AT && activity.successes() == 0) ? "failing"
                : activity.failures() > 0 && activity.failures() * 4 >= activity.failures() + activity.successes()
                        ? "degraded" : "ok";
        String idpState = idp == null ? "disabled" : switch (idp.state()) {
            case OK -> "ok";
            case FAILING -> "failing";
            case NOT_APPLICABLE -> "n/a";
        };
        String metadata = connector instanceof MetadataPublisher publisher
                ? baseUrl + "/auth/" + connector.id() + "/" + publisher.metadataPath() : null;
        return new Status(connector.id(), connector.settings().type(), connector.settings().label(),
                connector.settings().enabled(), connector.settings().testing(), status, idpState,
                idp == null ? null : idp.detail(), last == null ? null : new LastError(last.reason(), last.at()),
                Map.of("success", activity.successes(), "failure", activity.failures()), metadata);
    }
}
