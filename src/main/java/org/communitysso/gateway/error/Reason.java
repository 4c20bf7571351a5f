package org.communitysso.gateway.error;

/** Stable reason codes: shown on error pages, in JSON errors and in audit lines. */
public enum Reason {
    TOKEN_MISSING("token_missing", 400, "The sign-on answer carried no token."),
    TOKEN_MALFORMED("token_malformed", 400, "The sign-on token could not be read."),
    TOKEN_TOO_LARGE("token_too_large", 413, "The sign-on token is too large."),
    TOKEN_EXPIRED("token_expired", 401, "The sign-on token has expired. Please sign in again."),
    TOKEN_NOT_YET_VALID("token_not_yet_valid", 401, "The sign-on token is not valid yet."),
    TOKEN_TOO_OLD("token_too_old", 401, "The sign-on token was issued too long ago. Please sign in again."),
    SIGNATURE_INVALID("signature_invalid", 401, "The sign-on token's signature could not be verified."),
    ALGORITHM_NOT_ALLOWED("algorithm_not_allowed", 401, "The sign-on token is signed with an algorithm this connector does not accept."),
    UNKNOWN_KEY("unknown_key", 401, "The sign-on token is signed with a key this connector does not know."),
    ISSUER_INVALID("issuer_invalid", 401, "The sign-on token comes from an unexpected issuer."),
    AUDIENCE_INVALID("audience_invalid", 401, "The sign-on token is meant for someone else."),
    REPLAYED("replayed", 401, "This sign-on token has already been used."),
    SAML_INVALID("saml_invalid", 400, "The SAML answer could not be read or is not shaped as it must be."),
    DESTINATION_INVALID("destination_invalid", 401, "The sign-on answer was addressed to another place."),
    IN_RESPONSE_TO_INVALID("in_response_to_invalid", 401, "This sign-on answer does not match a sign-on started here, or was already used. Please sign in again."),
    STATUS_NOT_SUCCESS("status_not_success", 401, "The identity provider did not sign you in."),
    UNSOLICITED_NOT_ALLOWED("unsolicited_not_allowed", 400, "This sign-in method accepts only sign-ons started here."),
    IDP_ERROR("idp_error", 400, "The identity provider did not sign you in."),
    CODE_INVALID("code_invalid", 400, "This sign-in answer was already used or has expired. Please sign in again."),
    PROFILE_INVALID("profile_invalid", 502, "The identity provider sent a profile the community cannot read."),
    IDP_UNAVAILABLE("idp_unavailable", 502, "The identity provider could not be reached. Please try again later."),
    INVALID_USER_DATA("invalid_user_data", 400, "The identity provider sent user data the community cannot accept."),
    EMAIL_TAKEN("email_taken", 409, "This email address is already taken."),
    ACCOUNT_DISABLED("account_disabled", 403, "This community account is disabled."),
    UNKNOWN_CONNECTOR("unknown_connector", 404, "There is no such sign-in method."),
    CONNECTOR_DISABLED("connector_disabled", 404, "This sign-in method is not available."),
    AMBIGUOUS_CONNECTOR("ambiguous_connector", 400, "The sign-on answer could not be matched to one sign-in method."),
    STATE_INVALID("state_invalid", 400, "This sign-on was not started here or has expired. Please sign in again."),
    NONCE_INVALID("nonce_invalid", 401, "The sign-on answer does not belong to this sign-on. Please sign in again."),
    AT_HASH_INVALID("at_hash_invalid", 401, "The identity provider's answer does not hold together. Please sign in again."),
    USERINFO_MISMATCH("userinfo_mismatch", 401, "The identity provider's user data does not match the signed-in member."),
    LOGOUT_TOKEN_INVALID("logout_token_invalid", 400, "The logout token was not accepted."),
    PENDING_SIGN_ON_INVALID("pending_sign_on_invalid", 400, "This sign-up form has expired. Please sign in again."),
    LINK_INVALID("link_invalid", 400, "This request to link a sign-in method has expired or was already used. Please start again."),
    LINK_ACCOUNT_MISMATCH("link_account_mismatch", 409, "You signed in to a different account than the one to link to. Nothing was linked."),
    LINK_REFUSED("link_refused", 409, "This sign-in method belongs to another account, or the account already has one of this kind. Nothing was linked."),
    LAST_SIGN_IN_METHOD("last_sign_in_method", 409, "This is your account's only sign-in method. Link another one before you remove it."),
    CSRF_INVALID("csrf_invalid", 403, "The form could not be verified. Please try again."),
    REQUEST_MALFORMED("request_malformed", 400, "The request could not be read."),
    INVALID_RETURN_URL("invalid_return_url", 400, "The return address is not allowed."),
    NO_SESSION("no_session", 401, "You are not signed in."),
    UNKNOWN_SITE("unknown_site", 400, "There is no such site."),
    INVALID_OTT("invalid_ott", 400, "The one-time token is unknown, used, expired or another site's."),
    INVALID_CLIENT("invalid_client", 401, "The site's credentials were not accepted."),
    SITE_DATA_INVALID("invalid_data", 400, "The data is not a JSON document."),
    SITE_DATA_TOO_LARGE("data_too_large", 413, "The data is larger than 4 KB."),
    NOT_FOUND("not_found", 404, "There is no such page."),
    UNAVAILABLE("unavailable", 503, "Signing in is briefly unavailable. Please try again in a moment."),
    MEMBER_NOT_FOUND("member_not_found", 404, "There is no such member."),
    LINK_NOT_FOUND("link_not_found", 404, "The member has no link to this sign-in method."),
    INVALID_INPUT("invalid_input", 422, "The request's content is not acceptable."),
    UNAUTHENTICATED("unauthenticated", 401, "Credentials are missing or not valid."),
    FORBIDDEN("forbidden", 403, "These credentials do not allow this."),
    TEST_TICKET_INVALID("test_ticket_invalid", 403, "This connector test link is not valid, was already used or has expired."),
    INTERNAL_ERROR("internal_error", 500, "Something went wrong on our side. Please try again.");

    private final String code;
    private final int status;
    private final String message;

    Reason(String code, int status, String message) {
        this.code = code;
        this.status = status;
        this.message = message;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    /** A message fit for members: says what happened, never how the check works. */
    public String message() {
        return message;
    }
}
