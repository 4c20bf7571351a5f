package org.communitysso.gateway.connector.oidc;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.connector.CompactJws;
import org.communitysso.gateway.connector.JoseErrors;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.JoseException;

/**
 * Verifies ID tokens (OpenID Connect Core 3.1.3.7) and logout tokens
 * (Back-Channel Logout 1.0, 2.6) with jose4j against the IdP's JWKS.
 */
final class OidcTokenVerifier {

    static final String BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";
    /** An ID token is issued at the code exchange; one much older than this is not fresh. */
    private static final int ID_TOKEN_MAX_AGE_SECONDS = 10 * 60;

    record LogoutRequest(String sid, String sub, String jti, long keepUntil) {
    }

    private final String connectorId;
    private final OidcSettings settings;
    private final Supplier<VerificationKeyResolver> keys;

    OidcTokenVerifier(String connectorId, OidcSettings settings, Supplier<VerificationKeyResolver> keys) {
        this.connectorId = connectorId;
        this.settings = settings;
        this.keys = keys;
    }

    /** Signature, iss, aud/azp, exp, iat with skew, nonce. */
    JwtClaims idToken(String token, String expectedNonce, long now) {
        JwtClaims claims = verify(token, now, ID_TOKEN_MAX_AGE_SECONDS, true);
        checkAuthorizedParty(claims);
        String nonce = text(claims, "nonce");
        if (nonce == null || expectedNonce == null || !Secrets.constantTimeEquals(expectedNonce, nonce)) {
            throw refuse(Reason.NONCE_INVALID, "nonce missing or not the one sent");
        }
        if (text(claims, "sub") == null) {
            throw refuse(Reason.TOKEN_MALFORMED, "ID token has no sub");
        }
        return claims;
    }

    /** Signature, iss, aud, iat, the logout event, sid and/or sub, and no nonce. */
    LogoutRequest logoutToken(String token, long now) {
        int maxAge = (int) settings.logoutTokenMaxAge().toSeconds();
        JwtClaims claims = verify(token, now, maxAge, false);
        if (claims.hasClaim("nonce")) {
            // A nonce marks an ID token; refusing it stops an ID token being replayed as a logout token.
            throw refuse(Reason.LOGOUT_TOKEN_INVALID, "logout token carries a nonce");
        }
        Object events = claims.getClaimValue("events");
        if (!(events instanceof Map<?, ?> map) || !(map.get(BACKCHANNEL_LOGOUT_EVENT) instanceof Map<?, ?>)) {
            throw refuse(Reason.LOGOUT_TOKEN_INVALID, "events claim lacks the back-channel logout event");
        }
        String sid = text(claims, "sid");
        String sub = text(claims, "sub");
        if (sid == null && sub == null) {
            throw refuse(Reason.LOGOUT_TOKEN_INVALID, "logout token names neither sid nor sub");
        }
        String jti = text(claims, "jti");
        if (jti == null) {
            throw refuse(Reason.LOGOUT_TOKEN_INVALID, "logout token has no jti");
        }
        try {
            long keepUntil = claims.getIssuedAt().getValue() + maxAge + settings.clockSkew().toSeconds();
            return new LogoutRequest(sid, sub, jti, keepUntil);
        } catch (MalformedClaimException e) {
            throw refuse(Reason.TOKEN_MALFORMED, "iat is not a number");
        }
    }

    private JwtClaims verify(String token, long now, int maxAgeSeconds, boolean requireExp) {
        checkAlgorithm(token);
        int skew = (int) settings.clockSkew().toSeconds();
        JwtConsumerBuilder builder = new JwtConsumerBuilder()
                .setJwsAlgorithmConstraints(new AlgorithmConstraints(
                        AlgorithmConstraints.ConstraintType.PERMIT, settings.algorithms().toArray(String[]::new)))
                .setVerificationKeyResolver(keys.get())
                .setEvaluationTime(NumericDate.fromSeconds(now))
                .setAllowedClockSkewInSeconds(skew)
                .setExpectedIssuer(settings.issuer())
                .setExpectedAudience(settings.clientId())
                .setIssuedAtRestrictions(skew, maxAgeSeconds + skew);
        if (requireExp) {
            builder.setRequireExpirationTime();
        }
        try {
            return builder.build().processToClaims(token);
        } catch (InvalidJwtException e) {
            throw refuse(JoseErrors.reasonFor(e), JoseErrors.describe(e));
        }
    }

    /** {@code alg: none} or HS256 would otherwise surface as an unknown key: refuse by name first. */
    private void checkAlgorithm(String token) {
        String alg;
        try {
            alg = CompactJws.algorithm(token);
        } catch (JoseException e) {
            throw refuse(Reason.TOKEN_MALFORMED, "unreadable JOSE header");
        }
        if (alg == null || !settings.algorithms().contains(alg)) {
            throw refuse(Reason.ALGORITHM_NOT_ALLOWED, "alg " + (alg == null ? "missing" : alg.replaceAll("\\W", "?"))
                    + " is not allowed");
        }
    }

    /** Core 3.1.3.7 (4, 5): with several audiences azp is required; when present it must be us. */
    private void checkAuthorizedParty(JwtClaims claims) {
        String azp = text(claims, "azp");
        List<String> audiences;
        try {
            audiences = claims.getAudience();
        } catch (MalformedClaimException e) {
            throw refuse(Reason.AUDIENCE_INVALID, "aud is malformed");
        }
        if (audiences.size() > 1 && azp == null) {
            throw refuse(Reason.AUDIENCE_INVALID, "several audiences and no azp");
        }
        if (azp != null && !azp.equals(settings.clientId())) {
            throw refuse(Reason.AUDIENCE_INVALID, "azp is another client");
        }
    }

    private static String text(JwtClaims claims, String name) {
        Object value = claims.getClaimValue(name);
        return value instanceof String s && !s.isEmpty() ? s : null;
    }




    private GatewayException refuse(Reason reason, String detail) {
        return new GatewayException(reason, connectorId, detail);
    }
}
