package org.communitysso.gateway.audit;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.narayana.jta.QuarkusTransactionException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.session.SessionsRevoked;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Keeps security events in {@code audit_events} for the admin API. Events are
 * queued in memory and written in batches (one multi-row insert) by a scheduled
 * flush, off the member's request: a sign-on costs no audit round trip. Each
 * event is recorded after the work it tells of committed, so no row tells of
 * work that was rolled back. Reads ({@link #query}, {@link #activity}) flush
 * first, so this instance's events are always visible to them. A crash loses at
 * most one flush interval of rows; the audit log line of each event (audit/Audit)
 * is written at once either way. A failure to write is logged and retried at the
 * next flush, never fails a request; old events are deleted after the retention.
 */
@ApplicationScoped
public class AuditTrail {

    private static final Logger LOG = Logger.getLogger(AuditTrail.class);
    private static final int MAX_DETAIL = 500;
    public static final int MAX_QUERY = 500;
    /** Rows per insert statement. */
    private static final int BATCH = 500;
    /** Beyond this many unwritten events (the database is down for long) the oldest are dropped, with a warning. */
    static final int MAX_PENDING = 100_000;
    private volatile int maxPending = MAX_PENDING;
    private static final String INSERT = "INSERT INTO audit_events (at, event, outcome, connector_id, account_id, "
            + "operator, reason, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

    @Inject
    TimeSource time;

    @Inject
    DataSource dataSource;

    @ConfigProperty(name = "gateway.admin.audit-retention", defaultValue = "90D")
    Duration retention;

    private final ConcurrentLinkedQueue<AuditEvent> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    /** One flush at a time keeps the rows in the order they were recorded. */
    private final ReentrantLock flushing = new ReentrantLock();

    /** One event; {@code outcome}: success or failure; any other field may be null. */
    public record Entry(String event, String outcome, String connectorId, Long accountId, String operator,
            String reason, String detail) {
    }

    public record Stored(long at, String event, String outcome, String connector, Long member, String operator,
            String reason, String detail) {
    }

    /** Queues the event; never blocks and never touches the database (safe on the event loop). */
    public void record(Entry entry) {
        AuditEvent row = new AuditEvent();
        row.at = time.nowSeconds();
        row.event = entry.event();
        row.outcome = entry.outcome();
        row.connectorId = cut(entry.connectorId(), 64);
        row.accountId = entry.accountId();
        row.operator = cut(entry.operator(), 255);
        row.reason = cut(entry.reason(), 64);
        row.detail = cut(entry.detail(), MAX_DETAIL);
        pending.add(row);
        if (pendingCount.incrementAndGet() > maxPending && pending.poll() != null) {
            pendingCount.decrementAndGet();
            if (dropped.incrementAndGet() == 1) { // one line per outage; the total when writing resumes
                LOG.warnf("audit events are not being stored (database unavailable?): dropping the oldest of %d",
                        maxPending);
            }
        }
    }

    @Scheduled(every = "${gateway.admin.audit-flush-interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledFlush() {
        flush();
    }

    void onStop(@Observes ShutdownEvent stop) {
        flush();
    }

    /**
     * Writes every queued event; returns how many. On a database error the events
     * stay queued (in order) for the next flush.
     */
    public int flush() {
        if (pending.isEmpty()) {
            return 0;
        }
        flushing.lock();
        try {
            int written = 0;
            List<AuditEvent> batch = new ArrayList<>(BATCH);
            while (true) {
                for (AuditEvent row; batch.size() < BATCH && (row = pending.peek()) != null; ) {
                    batch.add(row);
                    pending.poll();
                }
                if (batch.isEmpty()) {
                    return written;
                }
                try {
                    insert(batch);
                    written += batch.size();
                } catch (SQLException | RuntimeException e) {
                    if (!isBadRow(e)) {
                        requeueFirst(batch);
                        LOG.warnf("%d audit event(s) not stored yet, retrying at the next flush: %s",
                                pendingCount.get(), e.getClass().getSimpleName());
                        return written;
                    }
                    written += insertEachDroppingBad(batch); // one bad row must not hold back every later one
                }
                pendingCount.addAndGet(-batch.size());
                batch.clear();
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    LOG.warnf("audit events are stored again; %d were dropped while they could not be", lost);
                }
            }
        } finally {
            flushing.unlock();
        }
    }

    /** Lowers {@link #MAX_PENDING} (tests). */
    void limitPending(int max) {
        maxPending = max;
    }

    /** Events recorded and not yet written. */
    int pending() {
        return pendingCount.get();
    }

    /** One multi-row insert (Connector/J rewrites the batch), autocommitted, outside any transaction. */
    private void insert(List<AuditEvent> batch) throws SQLException {
        try {
            QuarkusTransaction.suspendingExisting().call(() -> {
                try (Connection connection = dataSource.getConnection();
                        PreparedStatement insert = connection.prepareStatement(INSERT)) {
                    for (AuditEvent row : batch) {
                        insert.setLong(1, row.at);
                        insert.setString(2, row.event);
                        insert.setString(3, row.outcome);
                        insert.setString(4, row.connectorId);
                        insert.setObject(5, row.accountId, Types.BIGINT);
                        insert.setString(6, row.operator);
                        insert.setString(7, row.reason);
                        insert.setString(8, row.detail);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                return null;
            });
        } catch (QuarkusTransactionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw e;
        }
    }

    private int insertEachDroppingBad(List<AuditEvent> batch) {
        int written = 0;
        for (AuditEvent row : batch) {
            try {
                insert(List.of(row));
                written++;
            } catch (SQLException | RuntimeException e) {
                LOG.warnf("audit event %s dropped: the database refused it (%s)", row.event,
                        e.getClass().getSimpleName());
            }
        }
        return written;
    }

    /** The database refused the data (SQL state class 22 or 23), as opposed to being unreachable. */
    private static boolean isBadRow(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("23"))) {
                return true;
            }
        }
        return false;
    }

    /** Puts a failed batch back in front of what was queued meanwhile, keeping the order. */
    private void requeueFirst(List<AuditEvent> batch) {
        List<AuditEvent> rest = new ArrayList<>(batch);
        for (AuditEvent row; (row = pending.poll()) != null; ) {
            rest.add(row);
        }
        pending.addAll(rest);
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
        flush();
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
        flush();
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
        flush();
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
