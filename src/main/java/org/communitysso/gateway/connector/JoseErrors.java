package org.communitysso.gateway.connector;

import java.io.IOException;
import org.communitysso.gateway.error.Reason;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.lang.InvalidAlgorithmException;
import org.jose4j.lang.UnresolvableKeyException;

/** What jose4j's refusal of a token means, as a reason code and a log detail; shared by the token-based connectors. */
public final class JoseErrors {

    private JoseErrors() {
    }

    public static Reason reasonFor(InvalidJwtException e) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidAlgorithmException) {
                return Reason.ALGORITHM_NOT_ALLOWED;
            }
            if (cause instanceof UnresolvableKeyException) {
                return hasCause(cause, IOException.class) ? Reason.IDP_UNAVAILABLE : Reason.UNKNOWN_KEY;
            }
        }
        if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID) || e.hasErrorCode(ErrorCodes.SIGNATURE_MISSING)) {
            return Reason.SIGNATURE_INVALID;
        }
        if (e.hasErrorCode(ErrorCodes.EXPIRED)) {
            return Reason.TOKEN_EXPIRED;
        }
        if (e.hasErrorCode(ErrorCodes.ISSUED_AT_INVALID_PAST)) {
            return Reason.TOKEN_TOO_OLD;
        }
        if (e.hasErrorCode(ErrorCodes.NOT_YET_VALID) || e.hasErrorCode(ErrorCodes.ISSUED_AT_INVALID_FUTURE)) {
            return Reason.TOKEN_NOT_YET_VALID;
        }
        if (e.hasErrorCode(ErrorCodes.ISSUER_INVALID) || e.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
            return Reason.ISSUER_INVALID;
        }
        if (e.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || e.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
            return Reason.AUDIENCE_INVALID;
        }
        return Reason.TOKEN_MALFORMED;
    }

    /** jose4j's messages can quote the token's header or claims; log only its error codes and the root cause's type. */
    public static String describe(InvalidJwtException e) {
        StringBuilder codes = new StringBuilder("jose4j error codes:");
        e.getErrorDetails().forEach(d -> codes.append(' ').append(d.getErrorCode()));
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        if (root != e) {
            codes.append(" cause=").append(root.getClass().getSimpleName());
        }
        return codes.toString();
    }

    public static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable cause = t; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }
}
