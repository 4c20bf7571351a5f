package org.communitysso.gateway.admin;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.TimeSource;

/**
 * Test links for connectors. An operator's browser carries no bearer token, so the admin
 * API hands out a link with a random ticket (256 bits, 5 minutes, one use, in the database
 * so any instance takes it); opening it starts a test sign-on through the connector.
 */
@ApplicationScoped
public class ConnectorTests {

    public record Ticket(String value, long expiresAt) {
    }

    @Inject
    TimeSource time;
    @Inject
    AdminConfig config;

    Ticket issue(String connectorId, String operator) {
        String value = Secrets.randomId();
        long expiresAt = time.nowSeconds() + config.testLinkLifetime().toSeconds();
        QuarkusTransaction.requiringNew().run(() -> {
            ConnectorTestTicket.delete("expiresAt <= ?1", time.nowSeconds());
            ConnectorTestTicket ticket = new ConnectorTestTicket();
            ticket.idHash = Secrets.sha256Hex(value);
            ticket.connectorId = connectorId;
            ticket.operator = operator;
            ticket.expiresAt = expiresAt;
            ticket.persist();
        });
        return new Ticket(value, expiresAt);
    }

    /**
     * Uses up a ticket for this connector: the operator who asked for it, or empty when the
     * ticket is unknown, expired, already used or for another connector.
     */
    public Optional<String> redeem(String connectorId, String ticket) {
        if (ticket == null || ticket.isEmpty() || ticket.length() > 128) {
            return Optional.empty();
        }
        String hash = Secrets.sha256Hex(ticket);
        long now = time.nowSeconds();
        return QuarkusTransaction.requiringNew().call(() -> {
            ConnectorTestTicket found = ConnectorTestTicket.findById(hash);
            if (found == null || !found.idHash.equals(hash)) {
                return Optional.empty();
            }
            // deleted whatever it was for: a ticket tried at the wrong connector is spent too
            if (ConnectorTestTicket.delete("idHash", hash) != 1 || found.expiresAt <= now
                    || !found.connectorId.equals(connectorId)) {
                return Optional.empty();
            }
            return Optional.of(found.operator);
        });
    }
}
