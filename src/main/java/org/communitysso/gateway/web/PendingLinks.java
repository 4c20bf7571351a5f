package org.communitysso.gateway.web;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.config.GatewayConfig;

/**
 * Links of a further sign-in method in progress. Linking needs proof of both
 * identities in one browser within a short time: the browser holds the secret
 * id (cookie {@code community_link}), the database its hash; a link lives for
 * the sign-on timeout and is taken (deleted) by the sign-on that uses it, so it
 * is used once whatever that sign-on's outcome.
 * <ul>
 * <li>after {@code email_taken}: {@code identity} is the refused sign-in, waiting to join {@code accountId}
 * once the member signs in to that account;</li>
 * <li>from the account page: no identity; the member's next sign-on at {@code via} is linked to their
 * (signed-in) account.</li>
 * </ul>
 */
@ApplicationScoped
public class PendingLinks {

    private final TimeSource time;
    private final GatewayConfig config;

    @Inject
    public PendingLinks(TimeSource time, GatewayConfig config) {
        this.time = time;
        this.config = config;
    }

    /**
     * @param connectorId  the identity waiting to be linked (null: from the account page)
     * @param viaConnector the sign-in method chosen to prove the account (null: not chosen yet)
     */
    public record Link(long accountId, String connectorId, String externalId, String viaConnector, String target,
            String csrfToken) {

        public boolean fromAccountPage() {
            return externalId == null;
        }
    }

    /** Stores a pending link; returns the secret id for the member's cookie. */
    public String create(long accountId, String connectorId, String externalId, String viaConnector, String target) {
        String id = Secrets.randomId();
        long now = time.nowSeconds();
        QuarkusTransaction.requiringNew().run(() -> {
            PendingLink row = new PendingLink();
            row.idHash = Secrets.sha256Hex(id);
            row.accountId = accountId;
            row.connectorId = connectorId;
            row.externalId = externalId;
            row.viaConnector = viaConnector;
            row.target = target;
            row.csrfToken = Secrets.randomId();
            row.createdAt = now;
            row.expiresAt = now + config.signOnTimeout().toSeconds();
            row.persist();
        });
        return id;
    }

    /** The live pending link behind a cookie value; empty when unknown, used or expired. */
    public Optional<Link> find(String id) {
        if (id == null || id.isBlank() || id.length() > 128) {
            return Optional.empty();
        }
        String hash = Secrets.sha256Hex(id);
        long now = time.nowSeconds();
        return QuarkusTransaction.requiringNew().call(() -> Optional.ofNullable(PendingLink.<PendingLink>findById(hash))
                .filter(row -> row.idHash.equals(hash) && row.expiresAt >= now).map(PendingLinks::link));
    }

    /** Records the sign-in method the member chose to prove the account with. */
    public boolean choose(String id, String viaConnector) {
        long now = time.nowSeconds();
        return QuarkusTransaction.requiringNew().call(() -> PendingLink.update(
                "viaConnector = ?1 where idHash = ?2 and expiresAt >= ?3", viaConnector, Secrets.sha256Hex(id), now) == 1);
    }

    /**
     * Takes (uses up) the pending link behind {@code id} when the sign-on now
     * completing is at the method it was started for; one read and one delete,
     * so only the first caller gets it. Empty otherwise (then it stays).
     */
    public Optional<Link> take(String id, String connectorId) {
        if (id == null || id.isBlank() || id.length() > 128) {
            return Optional.empty();
        }
        String hash = Secrets.sha256Hex(id);
        long now = time.nowSeconds();
        return QuarkusTransaction.requiringNew().call(() -> {
            PendingLink row = PendingLink.findById(hash);
            if (row == null || row.expiresAt < now || !connectorId.equals(row.viaConnector)
                    || PendingLink.delete("idHash", hash) != 1) {
                return Optional.<Link>empty();
            }
            return Optional.of(link(row));
        });
    }

    @Scheduled(every = "${gateway.sweep-interval:5m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeExpired() {
        long now = time.nowSeconds();
        QuarkusTransaction.requiringNew().run(() -> PendingLink.delete("expiresAt < ?1", now));
    }

    private static Link link(PendingLink row) {
        return new Link(row.accountId, row.connectorId, row.externalId, row.viaConnector, row.target, row.csrfToken);
    }
}
