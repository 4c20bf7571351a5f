package org.communitysso.gateway.session;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.communitysso.gateway.TimeSource;
import org.jboss.logging.Logger;

/**
 * The database table {@code session_feed} carries what invalidates cached
 * checks from the instance where it happened to all the others: ended
 * sessions and changed accounts. Each instance polls it by id every
 * {@code gateway.session.revocation-lag}. Ids are handed out at insert but
 * become visible at commit, so each poll reads again the ids of the last
 * {@link #RESCAN_SECS} seconds and skips those it already applied.
 */
@ApplicationScoped
public class SessionFeed {

    private static final Logger LOG = Logger.getLogger(SessionFeed.class);
    static final String REVOKED = "R";
    static final String ACCOUNT = "A";
    /** A feed row's transaction may commit this long after its id was taken and still be seen. */
    static final long RESCAN_SECS = 10;
    /** Rows older than this are deleted; an instance that could not read the feed for half of it forgets its cache. */
    static final long KEEP_SECS = 3600;
    private static final int PAGE = 5000;

    private final EntityManager em;
    private final TimeSource time;
    private final SessionCache cache;

    /** Poll time → highest id seen by then; the floor is the newest entry at least RESCAN_SECS old. */
    private final TreeMap<Long, Long> seenBy = new TreeMap<>();
    /** Ids applied above the floor. */
    private final Set<Long> applied = new HashSet<>();
    private Long floor;
    private long lastSuccess;
    private long lastPrune;
    private boolean failing;

    @Inject
    public SessionFeed(EntityManager em, TimeSource time, SessionCache cache) {
        this.em = em;
        this.time = time;
        this.cache = cache;
    }

    /** Inside the caller's transaction: the rows commit (or not) with the sessions' deletion. */
    @Transactional(Transactional.TxType.MANDATORY)
    void revoked(Collection<String> idHashes) {
        if (idHashes.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder("INSERT INTO session_feed (kind, id_hash, created_at) VALUES ");
        int i = 0;
        for (String ignored : idHashes) {
            sql.append(i == 0 ? "" : ",").append("('R', ?").append(i + 2).append(", ?1)");
            i++;
        }
        var query = em.createNativeQuery(sql.toString()).setParameter(1, time.nowSeconds());
        i = 0;
        for (String hash : idHashes) {
            query.setParameter(i + 2, hash);
            i++;
        }
        query.executeUpdate();
    }

    void accountChanged(long accountId) {
        QuarkusTransaction.joiningExisting().run(() -> em.createNativeQuery(
                        "INSERT INTO session_feed (kind, account_id, created_at) VALUES ('A', ?1, ?2)")
                .setParameter(1, accountId).setParameter(2, time.nowSeconds()).executeUpdate());
    }

    @Scheduled(every = "${gateway.session.revocation-lag:1S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledPoll() {
        try {
            poll();
            if (failing) {
                LOG.info("session feed readable again");
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.warnf("session feed unreadable, cached checks may be stale until it is back: %s", e.getMessage());
                failing = true;
            }
        }
        if (lastSuccess > 0 && time.nowSeconds() - lastSuccess > KEEP_SECS / 2) {
            cache.invalidateAll(); // rows we never read may be pruned by now
        }
    }

    /** Reads new feed rows and drops what they name from the cache; returns how many rows it applied. */
    @SuppressWarnings("unchecked")
    public synchronized int poll() {
        long now = time.nowSeconds();
        if (floor == null) {
            floor = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                            "SELECT COALESCE(MAX(id), 0) FROM session_feed WHERE created_at < ?1")
                    .setParameter(1, now - RESCAN_SECS).getSingleResult()).longValue());
        }
        long from = floor;
        List<Object[]> rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "SELECT id, kind, id_hash, account_id FROM session_feed WHERE id > ?1 ORDER BY id")
                .setParameter(1, from).setMaxResults(PAGE).getResultList());
        List<String> sessions = new ArrayList<>();
        Set<Long> accounts = new HashSet<>();
        long highest = from;
        for (Object[] row : rows) {
            long id = ((Number) row[0]).longValue();
            highest = Math.max(highest, id);
            if (!applied.add(id)) {
                continue;
            }
            if (REVOKED.equals(String.valueOf(row[1])) && row[2] != null) {
                sessions.add((String) row[2]);
            } else if (row[3] != null) {
                accounts.add(((Number) row[3]).longValue());
            }
        }
        if (!sessions.isEmpty()) {
            cache.invalidateSessions(sessions);
        }
        accounts.forEach(cache::invalidateAccount);
        advance(now, highest, rows.size() == PAGE);
        lastSuccess = now;
        if (now - lastPrune >= 60) {
            prune(now);
            lastPrune = now;
        }
        return sessions.size() + accounts.size();
    }

    /** Moves the floor to what was seen RESCAN_SECS ago (at once when the page was full: we are behind). */
    private void advance(long now, long highest, boolean behind) {
        seenBy.merge(now, highest, Math::max);
        Map.Entry<Long, Long> old = behind ? seenBy.lastEntry() : seenBy.floorEntry(now - RESCAN_SECS);
        if (old != null && old.getValue() > floor) {
            floor = old.getValue();
            long f = floor;
            applied.removeIf(id -> id <= f);
            seenBy.headMap(old.getKey(), false).clear();
        }
    }

    private void prune(long now) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "DELETE FROM session_feed WHERE created_at < ?1")
                .setParameter(1, now - KEEP_SECS).executeUpdate());
    }
}
