package org.communitysso.gateway.web;

import org.communitysso.gateway.error.Reason;

/** The error page's heading and "what you can do" for each reason: a next step for every refusal, never a dead end. */
final class ErrorTexts {

    private ErrorTexts() {
    }

    static String title(Reason reason) {
        return switch (reason) {
            case NOT_FOUND, UNKNOWN_CONNECTOR -> "Page not found";
            case NO_SESSION -> "You are not signed in";
            case LINK_INVALID, LINK_ACCOUNT_MISMATCH, LINK_REFUSED -> "We could not link this sign-in method";
            case LAST_SIGN_IN_METHOD -> "This sign-in method cannot be removed";
            case CSRF_INVALID, REQUEST_MALFORMED -> "We could not accept this request";
            case INTERNAL_ERROR -> "Something went wrong";
            default -> "We could not sign you in";
        };
    }

    static String nextStep(Reason reason, boolean supportPage) {
        String support = supportPage ? "contact support (link below)" : "contact the community's support";
        return switch (reason) {
            case ACCOUNT_DISABLED -> "Your account was disabled by the community. If you think this is a mistake, "
                    + support + " and give the reason code below.";
            case IDP_UNAVAILABLE, INTERNAL_ERROR -> "Wait a minute and try again. If it keeps happening, " + support + ".";
            case UNKNOWN_CONNECTOR, CONNECTOR_DISABLED, NOT_FOUND -> "Go back to the sign-in page and choose one of the "
                    + "sign-in methods listed there.";
            case INVALID_USER_DATA, PROFILE_INVALID, EMAIL_TAKEN -> "Try another sign-in method, or " + support
                    + " and give the reason code below.";
            case LINK_ACCOUNT_MISMATCH -> "To link, sign in with the account that already uses your email address. "
                    + "Or sign in another way.";
            case LINK_INVALID -> "Sign in again with the method you wanted to add: if its email belongs to your "
                    + "account, the page offers to link it again. Or link it from your account page.";
            case LINK_REFUSED -> "Use the sign-in method that already belongs to your account, or " + support + ".";
            case LAST_SIGN_IN_METHOD -> "Link another sign-in method on your account page first, then remove this one.";
            case NO_SESSION -> "Sign in, then try again.";
            case STATUS_NOT_SUCCESS, IDP_ERROR -> "Your sign-in method did not sign you in. Try again, or choose "
                    + "another sign-in method.";
            default -> "Start the sign-in again. It usually works the second time; if it does not, " + support
                    + " and give the reason code below.";
        };
    }
}
