package org.communitysso.gateway.identity;

import java.util.List;

/**
 * The user data format every IdP answer is turned into. {@code customRoles}
 * is null when the IdP said nothing about roles (keep what the account has),
 * and empty when it said "none". {@code roleInputs}: what the roles were
 * computed from (null when built by hand), kept per link so a changed
 * role-mapping can be applied again without a sign-on.
 */
public record UserRecord(String id, String username, String email, List<String> customRoles, String avatar,
        RoleInputs roleInputs) {

    public UserRecord(String id, String username, String email, List<String> customRoles, String avatar) {
        this(id, username, email, customRoles, avatar, null);
    }

    /** The roles the IdP named directly and the groups it sent; each null when absent. */
    public record RoleInputs(List<String> given, List<String> groups) {
    }

    /** Two records are the same user data whatever they were computed from. */
    @Override
    public boolean equals(Object other) {
        return other instanceof UserRecord that && java.util.Objects.equals(id, that.id)
                && java.util.Objects.equals(username, that.username) && java.util.Objects.equals(email, that.email)
                && java.util.Objects.equals(customRoles, that.customRoles)
                && java.util.Objects.equals(avatar, that.avatar);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(id, username, email, customRoles, avatar);
    }

    public UserRecord withUsername(String chosen) {
        return new UserRecord(id, chosen, email, customRoles, avatar, roleInputs);
    }

    public UserRecord withEmail(String given) {
        return new UserRecord(id, username, given, customRoles, avatar, roleInputs);
    }
}
