package org.communitysso.gateway.connector.oidc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.jose4j.keys.HmacKey;
import org.jose4j.keys.resolvers.VerificationKeyResolver;

/**
 * Verifies ID tokens (OpenID Connect Core 3.1.3.7) and logout tokens
 * (Back-Channel Logout 1.0, 2.6) with jose4j: asymmetric signatures against the
 * IdP's JWKS, HS256/384/512 (only when {@code oidc.algorithms} names them) with
 * the client secret (Core 10.1). An ID token received directly from an https
 * token endpoint of an IdP that offers no keys is trusted on TLS (Core 3.1.3.7 (6));
 * every claim is still checked. A logout token is never accepted without a signature check.
 */
final class OidcTokenVerifier {

    static final String BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";
    /** An ID token is issued at the code exchange; one much older than this is not fresh. */
    private static final int ID_TOKEN_MAX_AGE_SECONDS = 10 * 60;

    record LogoutRequest(String sid, String sub, String jti, long keepUntil) {
    }

    private final String connectorId;
    private final OidcSettings settings;
    private final Supplier<Optional<VerificationKeyResolver>> keys;

    OidcTokenVerifier(String connectorId, OidcSettings settings, Supplier<Optional<VerificationKeyResolver>> keys) {
        this.connectorId = connectorId;
        this.settings = settings;
        this.keys = keys;
    }

    /**
     * Signature, iss, aud/azp, exp, iat with skew, nonce, and at_hash when present
     * (Core 3.1.3.8). {@code token} must come straight from the token endpoint's answer.
     */
    JwtClaims idToken(String token, String expectedNonce, String accessToken, long now) {
        String alg = CompactJws.allowedAlgorithm(token, settings.algorithms(), connectorId);
        JwtClaims claims = verify(token, alg, now, ID_TOKEN_MAX_AGE_SECONDS, true, true);
        checkAuthorizedParty(claims);
        String nonce = text(claims, "nonce");
        if (nonce == null || expectedNonce == null || !Secrets.constantTimeEquals(expectedNonce, nonce)) {
            throw refuse(Reason.NONCE_INVALID, "nonce missing or not the one sent");
        }
        if (text(claims, "sub") == null) {
            throw refuse(Reason.TOKEN_MALFORMED, "ID token has no sub");
        }
        checkAccessTokenHash(claims, alg, accessToken);
        return claims;
    }

    /**
     * Core 3.1.3.8: when the ID token has {@code at_hash}, it must be the base64url
     * left half of the access token's hash, by the hash of the ID token's alg.
     */
    private void checkAccessTokenHash(JwtClaims claims, String alg, String accessToken) {
        if (!claims.hasClaim("at_hash")) {
            return;
        }
        if (!(claims.getClaimValue("at_hash") instanceof String atHash) || accessToken == null) {
            throw refuse(Reason.AT_HASH_INVALID, "at_hash is not a string, or no access token came with it");
        }
        if (!Secrets.constantTimeEquals(leftHalfHash(alg, accessToken), atHash)) {
            throw refuse(Reason.AT_HASH_INVALID, "at_hash does not match the access token");
        }
    }

    /** base64url(left half of hash(ASCII value)), the hash named by the JWS alg (SHA-512 for EdDSA, Ed25519). */
    static String leftHalfHash(String alg, String value) {
        String digest = switch (alg.equals("EdDSA") ? "512" : alg.substring(2)) {
            case "256" -> "SHA-256";
            case "384" -> "SHA-384";
            case "512" -> "SHA-512";
            default -> throw new IllegalArgumentException("no hash for " + alg);
        };
        try {
            byte[] hash = MessageDigest.getInstance(digest).digest(value.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(hash, hash.length / 2));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signature, iss, aud, iat, the logout event, sid and/or sub, and no nonce. */
    LogoutRequest logoutToken(String token, long now) {
        int maxAge = (int) settings.logoutTokenMaxAge().toSeconds();
        String alg = CompactJws.allowedAlgorithm(token, settings.algorithms(), connectorId);
        JwtClaims claims = verify(token, alg, now, maxAge, false, false);
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

    /**
     * @param fromTokenEndpoint the token is the ID token of the token endpoint's answer,
     *        which alone may be trusted on TLS when the IdP offers no keys
     */
    private JwtClaims verify(String token, String alg, long now, int maxAgeSeconds, boolean requireExp,
            boolean fromTokenEndpoint) {
        int skew = (int) settings.clockSkew().toSeconds();
        JwtConsumerBuilder builder = new JwtConsumerBuilder()
                .setJwsAlgorithmConstraints(new AlgorithmConstraints(
                        AlgorithmConstraints.ConstraintType.PERMIT, alg));
        if (OidcConnectorFactory.HMAC.containsKey(alg)) {
            // Core 10.1: the key is the client secret's UTF-8 octets, never anything from the IdP's key set
            builder.setVerificationKey(new HmacKey(settings.clientSecret().orElseThrow()
                    .getBytes(StandardCharsets.UTF_8)));
        } else {
            Optional<VerificationKeyResolver> resolver = keys.get();
            if (resolver.isPresent()) {
                builder.setVerificationKeyResolver(resolver.get());
            } else if (fromTokenEndpoint && settings.tlsFallback()) {
                // Core 3.1.3.7 (6): received directly from the https token endpoint, validated by TLS
                builder.setSkipSignatureVerification();
            } else {
                throw refuse(fromTokenEndpoint ? Reason.UNKNOWN_KEY : Reason.LOGOUT_TOKEN_INVALID,
                        "no IdP keys to verify the signature with (set jwks-url)");
            }
        }
        builder.setEvaluationTime(NumericDate.fromSeconds(now))
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
