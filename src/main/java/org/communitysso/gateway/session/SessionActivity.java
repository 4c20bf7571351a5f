package org.communitysso.gateway.session;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.communitysso.gateway.config.GatewayConfig;
import org.jboss.logging.Logger;

/**
 * Session activity, recorded in memory and written in batches: at most one
 * write per session per touch interval, one UPDATE per batch of sessions, every
 * {@code gateway.session.activity-flush-interval} and at shutdown. A crash
 * loses at most one flush interval of activity, never a session.
 */
@ApplicationScoped
public class SessionActivity {

    private static final Logger LOG = Logger.getLogger(SessionActivity.class);
    static final int BATCH = 500;

    /** Session hash → the newest time it was seen, not yet written. */
    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    private final EntityManager em;
    private final long touchIntervalSecs;
    private final Counter touchWrites;
    private final SessionCache cache;

    @Inject
    public SessionActivity(EntityManager em, GatewayConfig config, MeterRegistry meters, SessionCache cache) {
        this.em = em;
        this.cache = cache;
        this.touchIntervalSecs = config.session().touchInterval().toSeconds();
        this.touchWrites = Counter.builder("gateway.session.touch.writes")
                .description("Session activity written to the database").register(meters);
    }

    /** A cache hit at {@code now}: slides the entry's idle deadline once per touch interval and queues the write. */
    void seen(SessionCache.Entry entry, long now) {
        long last = entry.lastSeenAt.get();
        if (now - last < touchIntervalSecs || !entry.lastSeenAt.compareAndSet(last, now)) {
            return;
        }
        long idle = now + entry.idleTimeoutSecs;
        entry.idleExpiresAt = entry.absoluteExpiresAt == null ? idle : Math.min(idle, entry.absoluteExpiresAt);
        record(entry.idHash, now);
    }

    /** Activity of session {@code idHash} at {@code now}, to be written with the next flush. */
    void record(String idHash, long now) {
        pending.merge(idHash, now, Math::max);
    }

    boolean due(long lastSeenAt, long now) {
        return now - lastSeenAt >= touchIntervalSecs;
    }

    @Scheduled(every = "${gateway.session.activity-flush-interval:5S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledFlush() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warnf("session activity not written yet (kept for the next flush): %s", e.getMessage());
        }
    }

    void onShutdown(@Observes ShutdownEvent event) {
        scheduledFlush();
    }

    /** Writes the pending activity; returns how many sessions were updated. What fails stays pending. */
    public synchronized int flush() {
        List<Map.Entry<String, Long>> batch = new ArrayList<>();
        int updated = 0;
        for (String hash : List.copyOf(pending.keySet())) {
            Long seen = pending.remove(hash);
            if (seen != null) {
                batch.add(Map.entry(hash, seen));
            }
            if (batch.size() == BATCH) {
                updated += write(batch);
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            updated += write(batch);
        }
        return updated;
    }

    /**
     * One statement for the batch. The new idle deadline never passes the
     * absolute one and never moves backwards. Sessions the database no longer
     * has (swept, or ended on an instance whose feed row we have not read yet)
     * leave this instance's cache at once.
     */
    private int write(List<Map.Entry<String, Long>> batch) {
        StringBuilder seenAt = new StringBuilder("CASE id_hash");
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < batch.size(); i++) {
            seenAt.append(" WHEN ?").append(2 * i + 1).append(" THEN ?").append(2 * i + 2);
            in.append(i == 0 ? "?" : ",?").append(2 * i + 1);
        }
        seenAt.append(" END");
        String newSeen = "GREATEST(last_seen_at, " + seenAt + ")";
        String sql = "UPDATE sessions SET idle_expires_at = CASE WHEN absolute_expires_at IS NULL THEN "
                + newSeen + " + idle_timeout_secs ELSE LEAST(" + newSeen + " + idle_timeout_secs, absolute_expires_at) END, "
                + "last_seen_at = " + newSeen + " WHERE id_hash IN (" + in + ")";
        try {
            int updated = QuarkusTransaction.requiringNew().call(() -> {
                var query = em.createNativeQuery(sql);
                for (int i = 0; i < batch.size(); i++) {
                    query.setParameter(2 * i + 1, batch.get(i).getKey());
                    query.setParameter(2 * i + 2, batch.get(i).getValue());
                }
                return query.executeUpdate();
            });
            touchWrites.increment(updated);
            if (updated < batch.size()) {
                dropGone(batch);
            }
            return updated;
        } catch (RuntimeException e) {
            batch.forEach(seen -> record(seen.getKey(), seen.getValue()));
            throw e;
        }
    }

    @SuppressWarnings("unchecked")
    private void dropGone(List<Map.Entry<String, Long>> batch) {
        List<String> hashes = batch.stream().map(Map.Entry::getKey).toList();
        Set<String> present = new HashSet<>(QuarkusTransaction.requiringNew().call(() -> em
                .createNativeQuery("SELECT id_hash FROM sessions WHERE id_hash IN (?1)")
                .setParameter(1, hashes).getResultList()));
        cache.invalidateSessions(hashes.stream().filter(h -> !present.contains(h)).toList());
    }

    int pendingCount() {
        return pending.size();
    }
}
