package org.communitysso.gateway.identity;

import java.util.List;

/**
 * The user data format every IdP answer is turned into. {@code customRoles}
 * is null when the IdP said nothing about roles (keep what the account has),
 * and empty when it said "none".
 */
public record UserRecord(String id, String username, String email, List<String> customRoles, String avatar) {

    public UserRecord withUsername(String chosen) {
        return new UserRecord(id, chosen, email, customRoles, avatar);
    }

    public UserRecord withEmail(String given) {
        return new UserRecord(id, username, given, customRoles, avatar);
    }
}
