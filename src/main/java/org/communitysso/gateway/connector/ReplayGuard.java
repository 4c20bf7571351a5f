package org.communitysso.gateway.connector;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import javax.sql.DataSource;
import io.quarkus.scheduler.Scheduled;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.TimeSource;

/**
 * Remembers token and assertion ids already accepted, in the database, so a
 * replay is refused across restarts and across gateway instances.
 */
@ApplicationScoped
public class ReplayGuard {

    private static final int MAX_ID_LENGTH = 128;

    @Inject
    EntityManager em;
    @Inject
    TimeSource time;
    @Inject
    DataSource dataSource;

    /**
     * Records {@code tokenId} for the connector until {@code keepUntilEpochSeconds};
     * true only for the first caller, however many race.
     */
    public boolean firstUse(String connectorId, String tokenId, long keepUntilEpochSeconds) {
        String key = tokenId.length() > MAX_ID_LENGTH ? "sha256:" + Secrets.sha256Hex(tokenId) : tokenId;
        // One autocommitted statement, outside any transaction: one round trip per sign-on, not four
        // (begin, insert, commit, reset), and the id is used up even if the sign-on fails later.
        return QuarkusTransaction.suspendingExisting().call(() -> {
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement insert = connection.prepareStatement(
                            "INSERT IGNORE INTO used_token_ids (connector_id, token_id, expires_at) VALUES (?, ?, ?)")) {
                insert.setString(1, connectorId);
                insert.setString(2, key);
                insert.setLong(3, keepUntilEpochSeconds);
                return insert.executeUpdate() == 1;
            }
        });
    }

    /** Forgets ids whose tokens can no longer be accepted anyway. */
    @Scheduled(every = "${gateway.sweep-interval:5m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeExpired() {
        purgeExpired(time.nowSeconds());
    }

    int purgeExpired(long nowEpochSeconds) {
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "DELETE FROM used_token_ids WHERE expires_at < ?1")
                .setParameter(1, nowEpochSeconds)
                .executeUpdate());
    }
}
