package org.communitysso.gateway.session;

/**
 * Fired when something a session check answers about an account changed
 * (username, email, avatar, roles, deactivation, links): whoever caches
 * those answers drops them for this account.
 */
public record AccountChanged(long accountId) {
}
