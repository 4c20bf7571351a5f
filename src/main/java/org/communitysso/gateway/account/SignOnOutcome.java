package org.communitysso.gateway.account;

/** What matching and provisioning decided. */
public sealed interface SignOnOutcome {

    /** The member has an account (found, linked or just made). */
    record SignedOn(long accountId, boolean provisioned) implements SignOnOutcome {
    }

    /** A new member must complete their profile first; {@code reason} is one of the constants below. */
    record NeedsProfile(String reason) implements SignOnOutcome {
        public static final String USERNAME_MISSING = "username_missing";
        public static final String USERNAME_TAKEN = "username_taken";
        public static final String EMAIL_MISSING = "email_missing";
    }
}
