package org.communitysso.gateway.connector.jwt;

import java.net.URI;
import java.util.Map;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.connector.CompactJws;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorSettings;
import org.communitysso.gateway.connector.ExternalIdentity;
import org.communitysso.gateway.connector.ReplayGuard;
import org.communitysso.gateway.connector.Urls;
import org.communitysso.gateway.connector.JoseErrors;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;

/**
 * The token connector (SPEC 2.3): the IdP redirects the member to
 * {@code return_url?token={jwt}}; the token's payload carries the user data
 * format's field names.
 */
final class JwtConnector implements Connector, org.communitysso.gateway.connector.IdpProbe {

    static final int MAX_TOKEN_LENGTH = 16 * 1024;
    private static final Map<String, String> DEFAULT_MAPPING = Map.of(
            "id", "id", "username", "username", "email", "email", "custom-roles", "customRoles", "avatar", "avatar");

    private final ConnectorSettings settings;
    private final URI signOnUrl;
    private final JwtKeys keys;
    private final JwtPolicy policy;
    private final ReplayGuard replayGuard;
    private final TimeSource time;

    JwtConnector(ConnectorSettings settings, URI signOnUrl, JwtKeys keys, JwtPolicy policy, ReplayGuard replayGuard,
            TimeSource time) {
        this.settings = settings;
        this.signOnUrl = signOnUrl;
        this.keys = keys;
        this.policy = policy;
        this.replayGuard = replayGuard;
        this.time = time;
    }

    /** Only a connector whose keys come from a JWKS URL depends on its IdP being reachable. */
    @Override
    public boolean dependsOnIdp() {
        return keys.fromUrl();
    }

    @Override
    public void probe() {
        try {
            keys.probe();
        } catch (Exception e) {
            throw new org.communitysso.gateway.error.GatewayException(
                    org.communitysso.gateway.error.Reason.IDP_UNAVAILABLE, settings.id(),
                    "JWKS not reachable: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public ConnectorSettings settings() {
        return settings;
    }

    @Override
    public Map<String, String> defaultMapping() {
        return DEFAULT_MAPPING;
    }

    @Override
    public SignOnStart start(SignOnRequest request) {
        // The member's target stays with the gateway; the IdP only gets our return endpoint.
        URI redirect = Urls.withParameter(signOnUrl, "return_url", request.gatewayReturnUrl());
        if (request.forceLogin()) {
            redirect = Urls.withParameter(redirect, "prompt", "login");
        }
        return new SignOnStart(redirect, Map.of());
    }

    @Override
    public ExternalIdentity complete(Callback callback) {
        String token = callback.parameter("token");
        if (token == null || token.isBlank()) {
            throw refuse(Reason.TOKEN_MISSING, "no token parameter");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw refuse(Reason.TOKEN_TOO_LARGE, "token of " + token.length() + " characters");
        }
        // Login CSRF: without a sign-on started here, a token could sign the browser in as someone else.
        if (!callback.solicited() && !policy.allowUnsolicited()) {
            throw refuse(Reason.UNSOLICITED_NOT_ALLOWED, "no sign-on state and allow-unsolicited is off");
        }
        // Not trimmed: jose4j would accept many texts for one token, each passing the replay check once.
        if (!CompactJws.isStrict(token)) {
            throw refuse(Reason.TOKEN_MALFORMED, "not a strict base64url compact serialisation");
        }
        long now = time.nowSeconds();
        JwtClaims claims = verify(token, now);
        long acceptableUntil = checkLifetime(claims, now);
        String replayKey = replayKey(claims, token);
        if (!replayGuard.firstUse(settings.id(), replayKey, acceptableUntil)) {
            throw refuse(Reason.REPLAYED, "token id already used");
        }
        return new ExternalIdentity(settings.id(), claims.getClaimsMap(), null, null);
    }

    @Override
    public boolean recognises(Callback callback) {
        String token = callback.parameter("token");
        if (policy.issuer().isEmpty() || token == null || token.length() > MAX_TOKEN_LENGTH
                || !CompactJws.isStrict(token)) {
            return false;
        }
        try {
            // Only routes the answer: the chosen connector verifies it fully afterwards.
            JwtClaims unverified = new JwtConsumerBuilder().setSkipAllValidators().setDisableRequireSignature()
                    .setSkipSignatureVerification().build().processToClaims(token);
            return policy.issuer().get().equals(unverified.getIssuer());
        } catch (InvalidJwtException | MalformedClaimException e) {
            return false;
        }
    }


    private JwtClaims verify(String token, long now) {
        CompactJws.allowedAlgorithm(token, policy.algorithms(), settings.id());
        JwtConsumerBuilder builder = new JwtConsumerBuilder()
                .setJwsAlgorithmConstraints(new AlgorithmConstraints(
                        AlgorithmConstraints.ConstraintType.PERMIT, policy.algorithms().toArray(String[]::new)))
                .setVerificationKeyResolver(keys.resolver())
                .setEvaluationTime(NumericDate.fromSeconds(now))
                .setAllowedClockSkewInSeconds((int) policy.clockSkew().toSeconds());
        if (policy.issuer().isPresent()) {
            builder.setExpectedIssuer(policy.issuer().get());
        }
        if (policy.audience().isPresent()) {
            builder.setExpectedAudience(policy.audience().get());
        } else {
            builder.setSkipDefaultAudienceValidation();
        }
        JwtConsumer consumer = builder.build();
        try {
            return consumer.processToClaims(token);
        } catch (InvalidJwtException e) {
            throw refuse(JoseErrors.reasonFor(e), JoseErrors.describe(e), e);
        }
    }

    /**
     * {@code exp} or {@code iat} must bound the token's life to {@code max-age}:
     * returns the last second it could still be accepted (how long its id is kept).
     */
    private long checkLifetime(JwtClaims claims, long now) {
        long skew = policy.clockSkew().toSeconds();
        long maxAge = policy.maxAge().toSeconds();
        try {
            NumericDate exp = claims.getExpirationTime();
            NumericDate iat = claims.getIssuedAt();
            if (exp == null && iat == null) {
                throw refuse(Reason.TOKEN_MALFORMED, "token carries neither exp nor iat");
            }
            long until = Long.MAX_VALUE;
            if (iat != null) {
                if (iat.getValue() > now + skew) {
                    throw refuse(Reason.TOKEN_NOT_YET_VALID, "iat is in the future");
                }
                if (now - iat.getValue() > maxAge + skew) {
                    throw refuse(Reason.TOKEN_TOO_OLD, "iat older than max-age");
                }
                until = iat.getValue() + maxAge + skew;
            }
            if (exp != null) {
                if (iat == null && exp.getValue() > now + maxAge + skew) {
                    throw refuse(Reason.TOKEN_TOO_OLD, "exp further away than max-age and no iat");
                }
                until = Math.min(until, exp.getValue() + skew);
            }
            return until;
        } catch (MalformedClaimException e) {
            throw refuse(Reason.TOKEN_MALFORMED, "exp or iat is not a number");
        }
    }

    /**
     * Without a jti, the signed header and payload identify the token: the
     * signature is left out because it can vary (ECDSA s and n - s both verify).
     */
    private static String replayKey(JwtClaims claims, String token) {
        String signed = "sha256:" + Secrets.sha256Hex(CompactJws.signingInput(token));
        try {
            String jti = claims.getJwtId();
            return jti != null ? "jti:" + jti : signed;
        } catch (MalformedClaimException e) {
            return signed;
        }
    }

    private GatewayException refuse(Reason reason, String detail) {
        return new GatewayException(reason, settings.id(), detail);
    }

    private GatewayException refuse(Reason reason, String detail, Throwable cause) {
        return new GatewayException(reason, settings.id(), detail, cause);
    }
}
