package org.communitysso.gateway.session;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
 * Opens, checks, touches, revokes and sweeps sessions. A check writes to the
 * database at most once per touch interval per session; the idle deadline
 * moves with that write.
 */
@ApplicationScoped
public class SessionService {

    private static final int MAX_SWEEP_BATCHES = 20;

    private final EntityManager em;
    private final TimeSource time;
    private final GatewayConfig.SessionConfig config;
    private final Counter touchWrites;
    private final Event<SessionsRevoked> revocations;
    private final Event<AccountChanged> accountChanges;

    @Inject
    public SessionService(EntityManager em, TimeSource time, GatewayConfig config, MeterRegistry meters,
            Event<SessionsRevoked> revocations, Event<AccountChanged> accountChanges) {
        this.em = em;
        this.time = time;
        this.revocations = revocations;
        this.accountChanges = accountChanges;
        this.config = config.session();
        this.touchWrites = Counter.builder("gateway.session.touch.writes")
                .description("Session activity written to the database").register(meters);
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

    private static boolean isCookieValue(String token) {
        return token != null && !token.isBlank() && token.length() <= 128;
    }

    /** The live session for a cookie value, recording activity (coalesced); empty when unknown or expired. */
    public Optional<LiveSession> check(String token) {
        if (!isCookieValue(token)) {
            return Optional.empty();
        }
        String hash = Secrets.sha256Hex(token);
        long now = time.nowSeconds();
        return QuarkusTransaction.requiringNew().call(() -> {
            SessionRecord session = SessionRecord.findById(hash);
            if (session == null || session.expiredAt(now)) {
                return Optional.empty();
            }
            if (now - session.lastSeenAt >= config.touchInterval().toSeconds()) {
                touch(session, now);
            }
            return Optional.of(live(session));
        });
    }

    /** Conditional on the activity we read, so concurrent checks write once. */
    private void touch(SessionRecord session, long now) {
        long idleExpiresAt = now + session.idleTimeoutSecs;
        if (session.absoluteExpiresAt != null) {
            idleExpiresAt = Math.min(idleExpiresAt, session.absoluteExpiresAt);
        }
        int updated = em.createQuery("update SessionRecord s set s.lastSeenAt = ?1, s.idleExpiresAt = ?2 "
                        + "where s.idHash = ?3 and s.lastSeenAt = ?4")
                .setParameter(1, now)
                .setParameter(2, idleExpiresAt)
                .setParameter(3, session.idHash)
                .setParameter(4, session.lastSeenAt)
                .executeUpdate();
        touchWrites.increment(updated);
    }

    /** Revokes the session behind a cookie value; returns what it was, for the IdP sign-off. */
    public Optional<LiveSession> revoke(String token, String why) {
        if (!isCookieValue(token)) {
            return Optional.empty();
        }
        String hash = Secrets.sha256Hex(token);
        Optional<LiveSession> revoked = QuarkusTransaction.requiringNew().call(() -> {
            SessionRecord session = SessionRecord.findById(hash);
            if (session == null) {
                return Optional.empty();
            }
            session.delete();
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

    /** Tells whoever caches check answers that this account's data changed (call after the change committed). */
    public void accountChanged(long accountId) {
        accountChanges.fire(new AccountChanged(accountId));
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

    /** Deletes expired sessions in bounded batches; returns how many. */
    public int sweep() {
        long now = time.nowSeconds();
        int batchSize = Math.max(1, config.sweepBatchSize());
        int total = 0;
        for (int batch = 0; batch < MAX_SWEEP_BATCHES; batch++) {
            int deleted = QuarkusTransaction.requiringNew().call(() -> {
                List<String> ids = em.createQuery("select s.idHash from SessionRecord s where s.idleExpiresAt <= ?1 "
                                + "or s.absoluteExpiresAt <= ?1", String.class)
                        .setParameter(1, now)
                        .setMaxResults(batchSize)
                        .getResultList();
                return ids.isEmpty() ? 0 : (int) SessionRecord.delete("idHash in ?1", ids);
            });
            total += deleted;
            if (deleted < batchSize) {
                break;
            }
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
