package org.communitysso.gateway.session;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.audit.Audit;
import org.communitysso.gateway.config.GatewayConfig;

/**
 * Opens, checks, touches, revokes and sweeps sessions. Activity is recorded in
 * memory and written in batches ({@link SessionActivity}), at most once per
 * touch interval per session; the idle deadline moves with that write. Every
 * early end is written to the session feed in the same transaction as the
 * deletion, so other instances' caches drop it ({@link SessionFeed}).
 */
@ApplicationScoped
public class SessionService {

    /** One sweep run stops after this long; the next run carries on. */
    private static final Duration SWEEP_BUDGET = Duration.ofMinutes(2);
    private static final int SWEEP_REST_FACTOR = 4;
    private static final Duration MAX_SWEEP_REST = Duration.ofSeconds(2);

    private final EntityManager em;
    private final TimeSource time;
    private final GatewayConfig.SessionConfig config;
    private final Event<SessionsRevoked> revocations;
    private final Event<AccountChanged> accountChanges;
    private final SessionActivity activity;
    private final SessionFeed feed;

    @Inject
    public SessionService(EntityManager em, TimeSource time, GatewayConfig config, Event<SessionsRevoked> revocations,
            Event<AccountChanged> accountChanges, SessionActivity activity, SessionFeed feed) {
        this.em = em;
        this.time = time;
        this.revocations = revocations;
        this.accountChanges = accountChanges;
        this.config = config.session();
        this.activity = activity;
        this.feed = feed;
    }

    /** Who opened the session, and what the connector needs to sign them off later. */
    public record Opening(long accountId, String connectorId, String externalId, Optional<Duration> idleTimeout,
            Optional<Duration> absoluteLifetime, String idpSessionId, String signOffHandle) {
    }

    public record LiveSession(long accountId, String connectorId, String externalId, String signOffHandle) {
    }

    /** The new session's cookie value, and the browser's previous session if it had a live one. */
    public record Opened(String token, Optional<LiveSession> replaced) {
    }

    /**
     * Opens a session in place of the browser's previous one ({@code previousToken},
     * may be null), inside the caller's transaction: if opening fails, the old
     * session stays. The cookie value (256 random bits) is never stored.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Opened replace(String previousToken, Opening opening) {
        Optional<LiveSession> replaced = Optional.empty();
        if (isCookieValue(previousToken)) {
            SessionRecord previous = SessionRecord.findById(Secrets.sha256Hex(previousToken));
            if (previous != null) {
                previous.delete();
                feed.revoked(List.of(previous.idHash));
                replaced = Optional.of(live(previous));
                revocations.fire(new SessionsRevoked(List.of(
                        new SessionsRevoked.Revoked(previous.idHash, previous.accountId, previous.connectorId)),
                        "replaced"));
            }
        }
        String token = Secrets.randomId();
        long now = time.nowSeconds();
        long idle = opening.idleTimeout().orElse(config.inactivityTimeout()).toSeconds();
        Optional<Duration> absolute = opening.absoluteLifetime().or(config::absoluteLifetime);
        SessionRecord session = new SessionRecord();
        session.idHash = Secrets.sha256Hex(token);
        session.accountId = opening.accountId();
        session.connectorId = opening.connectorId();
        session.externalId = opening.externalId();
        session.createdAt = now;
        session.lastSeenAt = now;
        session.idleTimeoutSecs = idle;
        session.idleExpiresAt = now + idle;
        session.absoluteExpiresAt = absolute.map(d -> now + d.toSeconds()).orElse(null);
        session.idpSessionId = opening.idpSessionId();
        session.signOffHandle = opening.signOffHandle();
        session.persist();
        em.flush();
        return new Opened(token, replaced);
    }

    static boolean isCookieValue(String token) {
        return token != null && !token.isBlank() && token.length() <= 128;
    }

    /** A live session as read from the database, with what a cache needs to know when it ends. */
    public record Checked(String idHash, LiveSession live, long lastSeenAt, long idleTimeoutSecs, long idleExpiresAt,
            Long absoluteExpiresAt) {
    }

    /** The live session for a cookie value, recording activity (coalesced); empty when unknown or expired. */
    public Optional<LiveSession> check(String token) {
        return lookUp(token).map(Checked::live);
    }

    /**
     * Reads the session behind a cookie value from the database (inside the
     * caller's transaction, or in its own) and records its activity for the
     * next flush when a touch is due.
     */
    public Optional<Checked> lookUp(String token) {
        if (!isCookieValue(token)) {
            return Optional.empty();
        }
        return lookUpHash(Secrets.sha256Hex(token), true);
    }

    private Optional<Checked> lookUpHash(String hash, boolean recordActivity) {
        long now = time.nowSeconds();
        return QuarkusTransaction.joiningExisting().call(() -> {
            SessionRecord session = SessionRecord.findById(hash);
            if (session == null || session.expiredAt(now) || !session.idHash.equals(hash)) {
                return Optional.empty();
            }
            long lastSeen = session.lastSeenAt;
            long idleExpires = session.idleExpiresAt;
            if (recordActivity && activity.due(lastSeen, now)) {
                activity.record(hash, now);
                lastSeen = now;
                idleExpires = now + session.idleTimeoutSecs;
                if (session.absoluteExpiresAt != null) {
                    idleExpires = Math.min(idleExpires, session.absoluteExpiresAt);
                }
            }
            return Optional.of(new Checked(hash, live(session), lastSeen, session.idleTimeoutSecs, idleExpires,
                    session.absoluteExpiresAt));
        });
    }

    /** Writes the activity recorded in memory now (also done every flush interval and at shutdown). */
    public int flushActivity() {
        return activity.flush();
    }

    /** A live session and the second it ends unless there is activity first (idle or absolute deadline). */
    public record LiveUntil(LiveSession session, long expiresAt) {
    }

    /**
     * The live session stored under {@code idHash} (the SHA-256 hex of its cookie
     * value), for the sites' server-to-server checks, which hold no cookie;
     * activity is recorded (coalesced) only when {@code recordActivity}.
     */
    public Optional<LiveUntil> checkHash(String idHash, boolean recordActivity) {
        if (idHash == null || idHash.length() != 64) {
            return Optional.empty();
        }
        return lookUpHash(idHash, recordActivity).map(c -> new LiveUntil(c.live(),
                c.absoluteExpiresAt() == null ? c.idleExpiresAt() : Math.min(c.idleExpiresAt(), c.absoluteExpiresAt())));
    }

    /** Revokes the session behind a cookie value; returns what it was, for the IdP sign-off. */
    public Optional<LiveSession> revoke(String token, String why) {
        if (!isCookieValue(token)) {
            return Optional.empty();
        }
        String hash = Secrets.sha256Hex(token);
        Optional<LiveSession> revoked = QuarkusTransaction.requiringNew().call(() -> {
            SessionRecord session = SessionRecord.findById(hash);
            if (session == null || !session.idHash.equals(hash)) {
                return Optional.empty();
            }
            session.delete();
            feed.revoked(List.of(hash));
            return Optional.of(live(session));
        });
        revoked.ifPresent(s -> {
            Audit.sessionRevoked(s.accountId(), why, 1);
            revocations.fire(new SessionsRevoked(
                    List.of(new SessionsRevoked.Revoked(hash, s.accountId(), s.connectorId())), why));
        });
        return revoked;
    }

    /** Revokes every session of an account (operator action, deactivation, sign-off everywhere). */
    public int revokeAll(long accountId, String why) {
        return revokeWhere("accountId = ?1", why, accountId);
    }

    /** What an operator may see of a live session: never its id or hash. */
    public record SessionSummary(long createdAt, long lastSeenAt, String connectorId) {
    }

    /** The account's sessions that are still live, newest first. */
    public List<SessionSummary> liveSessions(long accountId) {
        long now = time.nowSeconds();
        return QuarkusTransaction.joiningExisting().call(() -> SessionRecord
                .<SessionRecord>list("accountId = ?1 order by createdAt desc", accountId).stream()
                .filter(s -> !s.expiredAt(now))
                .map(s -> new SessionSummary(s.createdAt, s.lastSeenAt, s.connectorId)).toList());
    }

    /** How many sessions are live now (the sessions gauge). */
    public long countLive() {
        long now = time.nowSeconds();
        return QuarkusTransaction.requiringNew().call(() -> SessionRecord.count(
                "idleExpiresAt > ?1 and (absoluteExpiresAt is null or absoluteExpiresAt > ?1)", now));
    }

    /**
     * Tells whoever caches check answers that this account's data changed (call
     * after the change committed): this instance at once, the others through
     * the session feed within the revocation lag.
     */
    public void accountChanged(long accountId) {
        accountChanges.fire(new AccountChanged(accountId));
        feed.accountChanged(accountId);
    }

    /** Revokes the sessions an IdP names by its own session id (back-channel logout, SAML SLO). */
    public int revokeByIdpSession(String connectorId, String idpSessionId, String why) {
        return revokeWhere("connectorId = ?1 and idpSessionId = ?2", why, connectorId, idpSessionId);
    }

    /** Revokes every session one IdP user holds through one connector (logout naming the user only). */
    public int revokeByExternalId(String connectorId, String externalId, String why) {
        return revokeWhere("connectorId = ?1 and externalId = ?2", why, connectorId, externalId);
    }

    /**
     * Revokes the sessions whose IdP session id starts with {@code prefix} (SAML SLO
     * naming a member without a SessionIndex: every session of that NameID).
     * The prefix is the connector's own opaque key, free of LIKE wildcards.
     */
    public int revokeByIdpSessionPrefix(String connectorId, String prefix, String why) {
        if (prefix == null || prefix.isEmpty() || prefix.contains("%") || prefix.contains("_")) {
            throw new IllegalArgumentException("prefix must be non-empty and free of LIKE wildcards");
        }
        return revokeWhere("connectorId = ?1 and idpSessionId like ?2", why, connectorId, prefix + "%");
    }

    private int revokeWhere(String query, String why, Object... parameters) {
        List<SessionRecord> sessions = QuarkusTransaction.requiringNew().call(() -> {
            List<SessionRecord> found = SessionRecord.list(query, parameters);
            found.forEach(SessionRecord::delete);
            feed.revoked(found.stream().map(s -> s.idHash).toList());
            return found;
        });
        sessions.forEach(s -> Audit.sessionRevoked(s.accountId, why, 1));
        if (!sessions.isEmpty()) {
            revocations.fire(new SessionsRevoked(sessions.stream()
                    .map(s -> new SessionsRevoked.Revoked(s.idHash, s.accountId, s.connectorId)).toList(), why));
        }
        return sessions.size();
    }

    @Scheduled(every = "${gateway.sweep-interval:5m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledSweep() {
        sweep();
    }

    /**
     * Before the next batch, rests {@link #SWEEP_REST_FACTOR} times as long as the last
     * one took: the sweeper keeps the database busy at most a fifth of the time, so a
     * backlog of a million expired rows does not take the cores that checks and
     * sign-ons need (docs/performance.md, run H). False if interrupted.
     */
    private static boolean pauseAfterBatch(long batchNanos) {
        try {
            Thread.sleep(Math.min(MAX_SWEEP_REST.toMillis(), batchNanos * SWEEP_REST_FACTOR / 1_000_000));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Deletes expired sessions in batches of {@code gateway.session.sweep-batch-size},
     * each its own short transaction found through one index (idle, then
     * absolute deadline), until none are left or {@link #SWEEP_BUDGET} is spent;
     * returns how many. Expired sessions are refused by every check already;
     * this only frees the rows.
     */
    public int sweep() {
        activity.flush(); // activity this instance saw must count before anything is judged idle
        long now = time.nowSeconds();
        long stopAt = System.nanoTime() + SWEEP_BUDGET.toNanos();
        int batchSize = Math.max(1, config.sweepBatchSize());
        int total = 0;
        for (String deadline : List.of("idleExpiresAt", "absoluteExpiresAt")) {
            int deleted;
            long batchStarted;
            do {
                batchStarted = System.nanoTime();
                deleted = QuarkusTransaction.requiringNew().call(() -> {
                    List<String> ids = em.createQuery("select s.idHash from SessionRecord s where s." + deadline
                                    + " <= ?1", String.class)
                            .setParameter(1, now)
                            .setMaxResults(batchSize)
                            .getResultList();
                    return ids.isEmpty() ? 0 : (int) SessionRecord.delete("idHash in ?1", ids);
                });
                total += deleted;
                // a rest only when another batch follows; an interrupted rest (the gateway stopping) ends the run
            } while (deleted == batchSize && System.nanoTime() < stopAt
                    && pauseAfterBatch(System.nanoTime() - batchStarted));
        }
        if (total > 0) {
            Audit.sessionsSwept(total);
        }
        return total;
    }

    private static LiveSession live(SessionRecord session) {
        return new LiveSession(session.accountId, session.connectorId, session.externalId, session.signOffHandle);
    }
}
