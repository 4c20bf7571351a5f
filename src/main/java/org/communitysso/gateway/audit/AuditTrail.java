package org.communitysso.gateway.audit;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.session.SessionsRevoked;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Keeps security events in {@code audit_events} for the admin API, each in its own
 * transaction after the work it tells of: a failure to keep one is logged, never
 * fails the member's request. Old events are deleted after the retention.
 */
@ApplicationScoped
public class AuditTrail {

    private static final Logger LOG = Logger.getLogger(AuditTrail.class);
    private static final int MAX_DETAIL = 500;
    public static final int MAX_QUERY = 500;

    @Inject
    TimeSource time;

    @ConfigProperty(name = "gateway.admin.audit-retention", defaultValue = "90D")
    Duration retention;

    /** One event; {@code outcome}: success or failure; any other field may be null. */
    public record Entry(String event, String outcome, String connectorId, Long accountId, String operator,
            String reason, String detail) {
    }

    public record Stored(long at, String event, String outcome, String connector, Long member, String operator,
            String reason, String detail) {
    }

    public void record(Entry entry) {
        if (io.vertx.core.Context.isOnEventLoopThread()) {
            // refusals answered before dispatch (admin 401/403) arrive on the event loop: never block it
            io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool().execute(() -> store(entry));
        } else {
            store(entry);
        }
    }

    private void store(Entry entry) {
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                AuditEvent row = new AuditEvent();
                row.at = time.nowSeconds();
                row.event = entry.event();
                row.outcome = entry.outcome();
                row.connectorId = cut(entry.connectorId(), 64);
                row.accountId = entry.accountId();
                row.operator = cut(entry.operator(), 255);
                row.reason = cut(entry.reason(), 64);
                row.detail = cut(entry.detail(), MAX_DETAIL);
                row.persist();
            });
        } catch (RuntimeException e) {
            LOG.warnf("audit event %s not stored: %s", entry.event(), e.getClass().getSimpleName());
        }
    }

    /**
     * Sessions that ended early, one event per account and cause. A session replaced by the
     * same browser's new sign-on is not an event (and is fired inside the sign-on's transaction).
     */
    void revoked(@Observes SessionsRevoked revoked) {
        if ("replaced".equals(revoked.why())) {
            return;
        }
        revoked.sessions().stream().map(SessionsRevoked.Revoked::accountId).distinct().forEach(account -> record(
                new Entry("session_revoked", "success", null, account, null, revoked.why(),
                        revoked.sessions().stream().filter(s -> s.accountId() == account).count() + " session(s)")));
    }

    /** Newest first, at most {@code limit}; every filter may be null. */
    public List<Stored> query(Long since, Long member, String connector, int limit) {
        StringBuilder where = new StringBuilder("1 = 1");
        List<Object> parameters = new ArrayList<>();
        if (since != null) {
            parameters.add(since);
            where.append(" and at >= ?").append(parameters.size());
        }
        if (member != null) {
            parameters.add(member);
            where.append(" and accountId = ?").append(parameters.size());
        }
        if (connector != null) {
            parameters.add(connector);
            where.append(" and connectorId = ?").append(parameters.size());
        }
        int max = Math.max(1, Math.min(limit, MAX_QUERY));
        return QuarkusTransaction.requiringNew().call(() -> AuditEvent
                .<AuditEvent>find(where + " order by at desc, id desc", parameters.toArray()).page(0, max).list()
                .stream()
                .filter(e -> connector == null || connector.equals(e.connectorId))
                .map(e -> new Stored(e.at, e.event, e.outcome, e.connectorId, e.accountId, e.operator, e.reason,
                        e.detail))
                .toList());
    }

    /** Sign-on counts by outcome since {@code since}, and the last failure, for one connector. */
    public record ConnectorActivity(long successes, long failures, Stored lastFailure) {
    }

    public ConnectorActivity activity(String connectorId, long since) {
        return QuarkusTransaction.requiringNew().call(() -> {
            long successes = AuditEvent.count("event = 'sign_on' and connectorId = ?1 and outcome = 'success' "
                    + "and at >= ?2", connectorId, since);
            long failures = AuditEvent.count("event = 'sign_on' and connectorId = ?1 and outcome = 'failure' "
                    + "and at >= ?2", connectorId, since);
            Stored last = AuditEvent.<AuditEvent>find("event = 'sign_on' and connectorId = ?1 and outcome = 'failure' "
                    + "order by at desc, id desc", connectorId).firstResultOptional()
                    .map(e -> new Stored(e.at, e.event, e.outcome, e.connectorId, e.accountId, e.operator, e.reason,
                            null))
                    .orElse(null);
            return new ConnectorActivity(successes, failures, last);
        });
    }

    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledPurge() {
        purge();
    }

    /** Deletes events older than the retention; returns how many. */
    public long purge() {
        long before = time.nowSeconds() - retention.toSeconds();
        return QuarkusTransaction.requiringNew().call(() -> AuditEvent.delete("at < ?1", before));
    }

    private static String cut(String value, int max) {
        if (value == null) {
            return null;
        }
        String oneLine = value.replaceAll("[\\r\\n\\t]", " ");
        return oneLine.length() > max ? oneLine.substring(0, max) : oneLine;
    }
}
