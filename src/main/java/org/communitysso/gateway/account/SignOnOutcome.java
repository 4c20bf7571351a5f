package org.communitysso.gateway.account;

/** What matching and provisioning decided. */
public sealed interface SignOnOutcome {

    /**
     * The member has an account (found, linked or just made); the caller audits
     * {@code provisioned} / {@code linkedBy} once the sign-on has committed and,
     * when {@code profileChanged} (what a session check answers changed), tells
     * the sessions ({@code SessionService.accountChanged}).
     */
    record SignedOn(long accountId, boolean provisioned, String linkedBy, boolean profileChanged)
            implements SignOnOutcome {

        public SignedOn(long accountId, boolean provisioned, String linkedBy) {
            this(accountId, provisioned, linkedBy, linkedBy != null);
        }
    }

    /** A new member must complete their profile first. */
    record NeedsProfile(Why why) implements SignOnOutcome {
    }

    /** Why the sign-up form is shown; {@code code} is what is stored with the pending sign-on. */
    enum Why {
        USERNAME_MISSING("username_missing"),
        USERNAME_TAKEN("username_taken"),
        EMAIL_MISSING("email_missing");

        private final String code;

        Why(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        public static Why of(String code) {
            for (Why why : values()) {
                if (why.code.equals(code)) {
                    return why;
                }
            }
            return USERNAME_MISSING;
        }
    }
}
