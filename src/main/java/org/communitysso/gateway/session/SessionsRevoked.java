package org.communitysso.gateway.session;

import java.util.List;

/**
 * Fired whenever sessions end before their time: sign-off, IdP logout,
 * operator action, replacement by a new sign-on (fired inside the sign-on's
 * transaction). Observers drop what they keep about them (the session cache,
 * the sites signed on through them); those that must only act once the
 * deletion committed observe with {@code during = TransactionPhase.AFTER_SUCCESS}.
 */
public record SessionsRevoked(List<Revoked> sessions, String why) {

    /** One ended session: the SHA-256 hex of its cookie value, whose it was, and through which connector. */
    public record Revoked(String idHash, long accountId, String connectorId) {
    }
}
