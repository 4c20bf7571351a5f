package org.communitysso.gateway.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.config.GatewayConfig;

/**
 * The answers to {@code /auth/check} and {@code /auth/session} for live
 * sessions, kept in memory under the SHA-256 of the cookie value so the
 * per-page check needs no database round trip. An entry keeps the session's
 * deadlines and is checked against the clock on every hit; anything that
 * changes an answer drops it at once here ({@link SessionsRevoked},
 * {@link AccountChanged}) and, through the database's feed, on every other
 * instance within {@code gateway.session.revocation-lag} ({@link SessionFeed}).
 */
@ApplicationScoped
public class SessionCache {

    /** What the edge answers for one session: the check's header name/value pairs and the session JSON. */
    public record Answer(List<Map.Entry<String, String>> checkHeaders, byte[] sessionJson) {
    }

    /** One cached session: its answer plus what decides whether it is still live. */
    static final class Entry {
        final String idHash;
        final long accountId;
        final long idleTimeoutSecs;
        final Long absoluteExpiresAt;
        final Answer answer;
        final AtomicLong lastSeenAt;
        volatile long idleExpiresAt;

        Entry(String idHash, SessionService.Checked checked, Answer answer) {
            this.idHash = idHash;
            this.accountId = checked.live().accountId();
            this.idleTimeoutSecs = checked.idleTimeoutSecs();
            this.absoluteExpiresAt = checked.absoluteExpiresAt();
            this.answer = answer;
            this.lastSeenAt = new AtomicLong(checked.lastSeenAt());
            this.idleExpiresAt = checked.idleExpiresAt();
        }

        boolean expiredAt(long now) {
            return idleExpiresAt <= now || (absoluteExpiresAt != null && absoluteExpiresAt <= now);
        }
    }

    private final Cache<String, Entry> cache;
    /** Bumped by every invalidation: a load that raced one is not cached. */
    private final AtomicLong generation = new AtomicLong();
    private final TimeSource time;
    private final SessionActivity activity;

    @Inject
    public SessionCache(GatewayConfig config, TimeSource time, SessionActivity activity, MeterRegistry meters) {
        this.time = time;
        this.activity = activity;
        this.cache = Caffeine.newBuilder()
                .maximumSize(Math.max(0, config.session().cacheSize()))
                .expireAfterAccess(config.session().cacheIdleTime())
                .recordStats()
                .build();
        CaffeineCacheMetrics.monitor(meters, cache, "gateway.sessions");
    }

    /**
     * The answer for a cached, live session, recording its activity; null when
     * it is not cached or past a deadline by this instance's knowledge (then the
     * database decides: another instance may have seen activity since). No I/O:
     * safe on the event loop.
     */
    public Answer hit(String token) {
        if (!SessionService.isCookieValue(token)) {
            return null;
        }
        String hash = Secrets.sha256Hex(token);
        Entry entry = cache.getIfPresent(hash);
        if (entry == null) {
            return null;
        }
        long now = time.nowSeconds();
        if (entry.expiredAt(now)) {
            cache.invalidate(hash);
            return null;
        }
        activity.seen(entry, now);
        return entry.answer;
    }

    /** Read before loading a session from the database, passed to {@link #put}. */
    public long generation() {
        return generation.get();
    }

    /** Keeps the answer for a session just loaded, unless an invalidation happened since {@code generationBefore}. */
    public void put(long generationBefore, SessionService.Checked checked, Answer answer) {
        Entry entry = new Entry(checked.idHash(), checked, answer);
        cache.put(entry.idHash, entry);
        if (generation.get() != generationBefore) {
            cache.invalidate(entry.idHash); // a revocation or change may have raced the load
        }
    }

    void invalidateSessions(Collection<String> idHashes) {
        generation.incrementAndGet();
        cache.invalidateAll(idHashes);
    }

    void invalidateAccount(long accountId) {
        generation.incrementAndGet();
        cache.asMap().values().removeIf(entry -> entry.accountId == accountId);
    }

    void invalidateAll() {
        generation.incrementAndGet();
        cache.invalidateAll();
    }

    void onRevoked(@Observes SessionsRevoked revoked) {
        invalidateSessions(revoked.sessions().stream().map(SessionsRevoked.Revoked::idHash).toList());
    }

    void onAccountChanged(@Observes AccountChanged changed) {
        invalidateAccount(changed.accountId());
    }

    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
