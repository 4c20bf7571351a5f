package org.communitysso.gateway.sites;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.account.AccountService;
import org.communitysso.gateway.audit.Audit;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.communitysso.gateway.session.SessionService;
import org.communitysso.gateway.session.SessionsRevoked;
import org.jboss.logging.Logger;

/**
 * Sites signed on through one gateway session (SPEC 7). A gateway session that
 * hands a site a one-time token gets one {@code ssoSession} id; each site that
 * exchanges a token gets a sign-on under it. When the gateway session ends
 * (sign-off, inactivity, IdP logout, operator, replacement), the sign-ons end
 * with it and every site with a {@code logout-url} is told in the background.
 */
@ApplicationScoped
public class SiteSignOns {

    private static final Logger LOG = Logger.getLogger(SiteSignOns.class);
    /** A site's data under one sign-on (Zephr's "information linked to an SSO token"). */
    public static final int MAX_DATA_BYTES = 4096;
    private static final int SWEEP_BATCH = 500;

    private final EntityManager em;
    private final TimeSource time;
    private final SsoConfig config;
    private final SessionService sessions;
    private final AccountService accounts;
    private final Sites sites;
    private final LogoutDelivery delivery;

    @Inject
    public SiteSignOns(EntityManager em, TimeSource time, SsoConfig config, SessionService sessions,
            AccountService accounts, Sites sites, LogoutDelivery delivery) {
        this.em = em;
        this.time = time;
        this.config = config;
        this.sessions = sessions;
        this.accounts = accounts;
        this.sites = sites;
        this.delivery = delivery;
    }

    /** What {@code /sso/token} and {@code /sso/session} answer about the member. */
    public record Member(String userId, String username, String email, List<String> customRoles, String avatar,
            String connector, String externalId, String ssoSession, long expiresIn) {
    }

    /**
     * Issues a one-time token for {@code site} from the gateway session stored
     * under {@code sessionHash}. {@code boundSite}: the disabled site this
     * session was opened for, or null for the browser's own session. Only the
     * SHA-256 of the token is stored.
     */
    public String issue(Site site, String sessionHash, long accountId, String boundSite, String issuer) {
        String token = Secrets.randomId();
        long now = time.nowSeconds();
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("INSERT IGNORE INTO sso_sessions (session_hash, sso_session, account_id, bound_site, "
                            + "issuer, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                    .setParameter(1, sessionHash).setParameter(2, Secrets.randomId()).setParameter(3, accountId)
                    .setParameter(4, boundSite).setParameter(5, issuer).setParameter(6, now)
                    .executeUpdate();
            Object[] row = (Object[]) em.createNativeQuery("SELECT session_hash, account_id, bound_site FROM "
                            + "sso_sessions WHERE session_hash = ?1")
                    .setParameter(1, sessionHash).getSingleResult();
            // a session serves the sites of its kind only: the browser's own, or the one disabled site it was opened for
            if (!sessionHash.equals(row[0]) || ((Number) row[1]).longValue() != accountId
                    || !Objects.equals(boundSite, row[2])) {
                throw new GatewayException(Reason.NO_SESSION, "the session is bound to another site");
            }
            em.createNativeQuery("INSERT INTO sso_one_time_tokens (token_hash, site_id, session_hash, created_at, "
                            + "expires_at) VALUES (?1, ?2, ?3, ?4, ?5)")
                    .setParameter(1, Secrets.sha256Hex(token)).setParameter(2, site.id())
                    .setParameter(3, sessionHash).setParameter(4, now)
                    .setParameter(5, now + config.ottLifetime().toSeconds())
                    .executeUpdate();
        });
        Audit.ottIssued(site.id(), accountId);
        return token;
    }

    /**
     * Exchanges a one-time token for the member, once: the token's row is
     * deleted before anything else, and only the caller whose delete took it
     * goes on. Refused ({@code invalid_ott}) when unknown, used, expired,
     * another site's, or when its gateway session has ended.
     */
    public Member exchange(Site site, String ott) {
        if (ott == null || ott.isEmpty() || ott.length() > 128) {
            throw refused(site.id(), ott == null || ott.isEmpty() ? "no ott given" : "ott too long");
        }
        String hash = Secrets.sha256Hex(ott);
        long now = time.nowSeconds();
        Object[] taken = QuarkusTransaction.requiringNew().call(() -> {
            List<?> rows = em.createNativeQuery("SELECT token_hash, site_id, session_hash, expires_at FROM "
                            + "sso_one_time_tokens WHERE token_hash = ?1")
                    .setParameter(1, hash).getResultList();
            if (rows.isEmpty() || !hash.equals(((Object[]) rows.get(0))[0])) {
                return null;
            }
            // whoever deletes the row has it: two exchanges of one token, one winner
            int deleted = em.createNativeQuery("DELETE FROM sso_one_time_tokens WHERE token_hash = ?1")
                    .setParameter(1, hash).executeUpdate();
            return deleted == 1 ? (Object[]) rows.get(0) : null;
        });
        if (taken == null) {
            throw refused(site.id(), "unknown or already used");
        }
        if (!site.id().equals(taken[1])) {
            // a token seen by the wrong site is spent: its own site cannot use it either
            throw refused(site.id(), "issued for another site");
        }
        if (((Number) taken[3]).longValue() <= now) {
            throw refused(site.id(), "expired");
        }
        String sessionHash = (String) taken[2];
        SessionService.LiveUntil live = sessions.checkHash(sessionHash, false)
                .orElseThrow(() -> refused(site.id(), "gateway session ended"));
        String ssoSession;
        try {
            ssoSession = QuarkusTransaction.requiringNew().call(() -> {
                String id = ssoSessionOf(sessionHash).orElseThrow(() -> new PersistenceException("sso session gone"));
                em.createNativeQuery("INSERT IGNORE INTO sso_site_sign_ons (sso_session, site_id, created_at) "
                                + "VALUES (?1, ?2, ?3)")
                        .setParameter(1, id).setParameter(2, site.id()).setParameter(3, now).executeUpdate();
                return id;
            });
        } catch (PersistenceException e) {
            throw refused(site.id(), "gateway session ended");
        }
        Member member = member(live, ssoSession, now)
                .orElseThrow(() -> refused(site.id(), "account gone or disabled"));
        Audit.ottExchanged(site.id(), live.session().accountId());
        return member;
    }

    private GatewayException refused(String siteId, String detail) {
        Audit.ottRefused(siteId, Reason.INVALID_OTT.code(), detail);
        return new GatewayException(Reason.INVALID_OTT, detail);
    }

    /**
     * The member behind {@code ssoSession} while its gateway session lives, for
     * a site signed on under it; activity is recorded only when {@code touch}.
     */
    public Optional<Member> session(Site site, String ssoSession, boolean touch) {
        long now = time.nowSeconds();
        return signOnOf(site, ssoSession)
                .flatMap(sessionHash -> sessions.checkHash(sessionHash, touch))
                .flatMap(live -> member(live, ssoSession, now));
    }

    /** The data {@code site} attached to its sign-on under {@code ssoSession}; empty when none or no sign-on. */
    public Optional<Optional<String>> data(Site site, String ssoSession) {
        if (session(site, ssoSession, false).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "SELECT data FROM sso_site_sign_ons WHERE sso_session = ?1 AND site_id = ?2")
                .setParameter(1, ssoSession).setParameter(2, site.id()).getResultList().stream()
                .filter(d -> d != null).map(Object::toString).findFirst()));
    }

    /** Stores {@code json} (checked by the caller) for the site's sign-on; false when there is no live sign-on. */
    public boolean putData(Site site, String ssoSession, String json) {
        if (session(site, ssoSession, false).isEmpty()) {
            return false;
        }
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "UPDATE sso_site_sign_ons SET data = ?1 WHERE sso_session = ?2 AND site_id = ?3")
                .setParameter(1, json).setParameter(2, ssoSession).setParameter(3, site.id())
                .executeUpdate()) == 1;
    }

    /** The member's username, for the opt-in page. */
    public Optional<String> username(long accountId) {
        return QuarkusTransaction.requiringNew().call(() -> accounts.view(accountId))
                .map(AccountService.AccountView::username);
    }

    /** The gateway session under which {@code site} is signed on as {@code ssoSession}. */
    private Optional<String> signOnOf(Site site, String ssoSession) {
        if (ssoSession == null || ssoSession.isEmpty() || ssoSession.length() > 64) {
            return Optional.empty();
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            List<?> rows = em.createNativeQuery("SELECT s.session_hash, s.sso_session FROM sso_sessions s "
                            + "JOIN sso_site_sign_ons o ON o.sso_session = s.sso_session "
                            + "WHERE s.sso_session = ?1 AND o.site_id = ?2")
                    .setParameter(1, ssoSession).setParameter(2, site.id()).getResultList();
            return rows.stream().map(r -> (Object[]) r).filter(r -> ssoSession.equals(r[1]))
                    .map(r -> (String) r[0]).findFirst();
        });
    }

    private Optional<String> ssoSessionOf(String sessionHash) {
        List<?> rows = em.createNativeQuery("SELECT sso_session FROM sso_sessions WHERE session_hash = ?1")
                .setParameter(1, sessionHash).getResultList();
        return rows.stream().map(Object::toString).findFirst();
    }

    private Optional<Member> member(SessionService.LiveUntil live, String ssoSession, long now) {
        return QuarkusTransaction.requiringNew().call(() -> accounts.view(live.session().accountId()))
                .map(a -> new Member(String.valueOf(a.id()), a.username(), a.email(), a.roles(), a.avatar(),
                        live.session().connectorId(), live.session().externalId(), ssoSession,
                        Math.max(0, live.expiresAt() - now)));
    }

    /**
     * Ends the site sign-ons of revoked gateway sessions once the revocation
     * committed, in the background: the member's sign-off never waits for it.
     */
    void onRevoked(@Observes(during = TransactionPhase.AFTER_SUCCESS) SessionsRevoked event) {
        List<String> hashes = event.sessions().stream().map(SessionsRevoked.Revoked::idHash).toList();
        delivery.inBackground(() -> endQuietly(hashes, event.why()));
    }

    private void endQuietly(List<String> sessionHashes, String why) {
        ManagedContext requestContext = Arc.container().requestContext();
        requestContext.activate();
        try {
            end(sessionHashes, why);
        } catch (RuntimeException e) {
            // the sweep ends them later
            LOG.warnf("ending the site sign-ons of %d session(s) failed: %s", sessionHashes.size(), e.toString());
        } finally {
            requestContext.terminate();
        }
    }

    private record Ended(String ssoSession, long accountId, String issuer, List<String> siteIds) {
    }

    /** Deletes the ssoSessions of these gateway sessions (their sign-ons and tokens go with them), then tells the sites. */
    int end(List<String> sessionHashes, String why) {
        List<Ended> ended = QuarkusTransaction.requiringNew().call(() -> {
            List<Ended> found = new ArrayList<>();
            for (String hash : sessionHashes) {
                List<?> rows = em.createNativeQuery("SELECT sso_session, account_id, issuer FROM sso_sessions "
                                + "WHERE session_hash = ?1 FOR UPDATE")
                        .setParameter(1, hash).getResultList();
                for (Object r : rows) {
                    Object[] row = (Object[]) r;
                    String ssoSession = (String) row[0];
                    List<String> siteIds = em.createNativeQuery(
                                    "SELECT site_id FROM sso_site_sign_ons WHERE sso_session = ?1")
                            .setParameter(1, ssoSession).getResultList().stream().map(Object::toString).toList();
                    found.add(new Ended(ssoSession, ((Number) row[1]).longValue(), (String) row[2], siteIds));
                }
                em.createNativeQuery("DELETE FROM sso_sessions WHERE session_hash = ?1").setParameter(1, hash)
                        .executeUpdate();
            }
            return found;
        });
        for (Ended e : ended) {
            for (String siteId : e.siteIds()) {
                Audit.siteSignedOff(siteId, e.accountId(), why);
                sites.find(siteId).ifPresent(site -> delivery.deliver(
                        new LogoutDelivery.Notice(site, e.issuer(), e.ssoSession(), e.accountId())));
            }
        }
        return ended.size();
    }

    @Scheduled(every = "${gateway.sweep-interval:5m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledSweep() {
        sweep();
    }

    /**
     * Ends the sign-ons of gateway sessions that expired (inactivity, absolute
     * lifetime) or went without an event, and deletes expired one-time tokens.
     */
    public int sweep() {
        long now = time.nowSeconds();
        List<String> gone = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "SELECT o.session_hash FROM sso_sessions o WHERE NOT EXISTS (SELECT 1 FROM sessions s "
                                + "WHERE s.id_hash = o.session_hash AND s.idle_expires_at > ?1 "
                                + "AND (s.absolute_expires_at IS NULL OR s.absolute_expires_at > ?1))")
                .setParameter(1, now).setMaxResults(SWEEP_BATCH).getResultList().stream().map(Object::toString)
                .toList());
        int ended = gone.isEmpty() ? 0 : end(gone, "expired");
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "DELETE FROM sso_one_time_tokens WHERE expires_at <= ?1").setParameter(1, now).executeUpdate());
        return ended;
    }
}
