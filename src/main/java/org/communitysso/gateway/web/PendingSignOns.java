package org.communitysso.gateway.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.Optional;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.config.GatewayConfig;
import org.communitysso.gateway.identity.UserRecord;

/**
 * Verified sign-ons of new members who still have to choose a username (or
 * give an email), with where they were going and the form's CSRF token. Kept
 * in the database so a gateway restart loses nothing.
 */
@ApplicationScoped
public class PendingSignOns {

    private final ObjectMapper json;
    private final TimeSource time;
    private final GatewayConfig config;

    @Inject
    public PendingSignOns(ObjectMapper json, TimeSource time, GatewayConfig config) {
        this.json = json;
        this.time = time;
        this.config = config;
    }

    /**
     * {@code reason}: why the form is shown (a code of ProfileResource's); {@code formUsername},
     * {@code formEmail}: what the member last typed (or the IdP's unusable username);
     * {@code completed}: the form was submitted and the member signed in.
     */
    public record Pending(String connectorId, UserRecord record, String target, String csrfToken, String reason,
            String idpSessionId, String signOffHandle, String formUsername, String formEmail, boolean completed) {
    }

    /** Stores the pending sign-on; returns the secret id for the member's cookie. */
    public String create(Pending pending) {
        String id = Secrets.randomId();
        long now = time.nowSeconds();
        QuarkusTransaction.requiringNew().run(() -> {
            PendingSignOn row = new PendingSignOn();
            row.idHash = Secrets.sha256Hex(id);
            row.connectorId = pending.connectorId();
            row.externalId = pending.record().id();
            row.userRecord = write(pending.record());
            row.target = pending.target();
            row.csrfToken = pending.csrfToken();
            row.reason = pending.reason();
            row.idpSessionId = pending.idpSessionId();
            row.signOffHandle = pending.signOffHandle();
            row.formUsername = clip(pending.formUsername(), 255);
            row.formEmail = clip(pending.formEmail(), 320);
            row.createdAt = now;
            row.expiresAt = now + config.accounts().pendingLifetime().toSeconds();
            row.persist();
        });
        return id;
    }

    public Optional<Pending> find(String id) {
        if (id == null || id.isBlank()) {
            return Optional.empty();
        }
        long now = time.nowSeconds();
        return QuarkusTransaction.requiringNew().call(() -> {
            PendingSignOn row = PendingSignOn.findById(Secrets.sha256Hex(id));
            if (row == null || row.expiresAt < now) {
                return Optional.empty();
            }
            return Optional.of(new Pending(row.connectorId, read(row.userRecord), row.target, row.csrfToken,
                    row.reason, row.idpSessionId, row.signOffHandle, row.formUsername, row.formEmail,
                    row.completedAt != null));
        });
    }

    /**
     * Records why the form is shown again and what the member typed, for the GET
     * that follows (post-redirect-get); a completed one is left alone.
     */
    public void rememberForm(String id, String reason, String username, String email) {
        QuarkusTransaction.requiringNew().run(() -> PendingSignOn.update(
                "reason = ?1, formUsername = ?2, formEmail = ?3 where idHash = ?4 and completedAt is null", reason,
                clip(username, 255), clip(email, 320), Secrets.sha256Hex(id)));
    }

    private static String clip(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }

    /**
     * Uses the pending sign-on up; true only for the first caller (a double-click
     * submits twice). The row stays, marked completed, until it expires: Back or a
     * resubmit then finds where the member was going.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean consume(String id) {
        return PendingSignOn.update("completedAt = ?1 where idHash = ?2 and completedAt is null", time.nowSeconds(),
                Secrets.sha256Hex(id)) == 1;
    }

    @Scheduled(every = "${gateway.sweep-interval:5m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeExpired() {
        long now = time.nowSeconds();
        QuarkusTransaction.requiringNew().run(() -> PendingSignOn.delete("expiresAt < ?1", now));
    }

    private String write(UserRecord record) {
        try {
            return json.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("user record not serialisable", e);
        }
    }

    private UserRecord read(String text) {
        try {
            return json.readValue(text, UserRecord.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored user record unreadable", e);
        }
    }
}
