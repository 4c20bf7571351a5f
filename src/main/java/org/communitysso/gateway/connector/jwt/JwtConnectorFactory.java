package org.communitysso.gateway.connector.jwt;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.connector.ConfigProblems;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorFactory;
import org.communitysso.gateway.connector.ConnectorSettings;
import org.communitysso.gateway.connector.ReplayGuard;

/** Validates {@code gateway.connectors.<id>.jwt.*} and builds {@link JwtConnector}s. */
@ApplicationScoped
public class JwtConnectorFactory implements ConnectorFactory {

    /**
     * Unused here: Quarkus registers a {@code @ConfigMapping} (and so accepts its
     * keys) only where one is injected. The factory reads it through {@link Context}.
     */
    @Inject
    JwtConfig keys;

    static final Set<String> ASYMMETRIC = Set.of(
            "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");
    static final Set<String> HMAC = Set.of("HS256", "HS384", "HS512");
    /** 256 bits: the least RFC 7518 allows for HS256. */
    static final int MIN_SECRET_BYTES = 32;

    private final ReplayGuard replayGuard;
    private final TimeSource time;

    @Inject
    public JwtConnectorFactory(ReplayGuard replayGuard, TimeSource time) {
        this.replayGuard = replayGuard;
        this.time = time;
    }

    @Override
    public String type() {
        return "jwt";
    }

    /** {@code /auth/token/return}, the seed's name for it. */
    @Override
    public String returnAlias() {
        return "token";
    }

    @Override
    public Class<?> configMapping() {
        return JwtConfig.class;
    }

    @Override
    public Connector create(ConnectorSettings settings, Context context, ConfigProblems problems) {
        String id = settings.id();
        JwtConfig.Keys jwt = context.mapping(JwtConfig.class).connectors().get(id).jwt();
        Optional<URI> signOnUrl = problems.httpUrlOrPath(id, "sign-on-url", context.common().signOnUrl(), true);

        int keySources = (jwt.publicKey().isPresent() ? 1 : 0) + (jwt.jwksUrl().isPresent() ? 1 : 0)
                + (jwt.sharedSecret().isPresent() ? 1 : 0);
        if (keySources != 1) {
            problems.add(id, "jwt.public-key", "set exactly one of jwt.public-key, jwt.jwks-url or jwt.shared-secret"
                    + " (found " + keySources + ")");
            return null;
        }
        boolean symmetric = jwt.sharedSecret().isPresent();
        Set<String> algorithms = algorithms(id, jwt.algorithms(), symmetric, problems);

        JwtKeys keys = null;
        if (jwt.publicKey().isPresent()) {
            try {
                keys = JwtKeys.staticKeys(PemKeys.parsePublicKeys(jwt.publicKey().get()));
            } catch (IllegalArgumentException e) {
                problems.add(id, "jwt.public-key", e.getMessage());
            }
        } else if (jwt.jwksUrl().isPresent()) {
            Optional<URI> url = problems.httpUrl(id, "jwt.jwks-url", jwt.jwksUrl(), true);
            if (url.isPresent()) {
                keys = JwtKeys.jwks(id, url.get(), jwt.jwksRefetchInterval());
            }
        } else {
            byte[] secret = jwt.sharedSecret().get().getBytes(StandardCharsets.UTF_8);
            if (secret.length < MIN_SECRET_BYTES) {
                problems.add(id, "jwt.shared-secret", "must be at least " + MIN_SECRET_BYTES + " bytes");
            } else {
                keys = JwtKeys.sharedSecret(secret);
            }
        }
        if (jwt.maxAge().isNegative() || jwt.maxAge().isZero()) {
            problems.add(id, "jwt.max-age", "must be positive");
        }
        if (jwt.clockSkew().isNegative()) {
            problems.add(id, "jwt.clock-skew", "must not be negative");
        }
        if (keys == null || signOnUrl.isEmpty() || algorithms.isEmpty()) {
            return null;
        }
        JwtPolicy policy = new JwtPolicy(algorithms, jwt.issuer().filter(s -> !s.isBlank()),
                jwt.audience().filter(s -> !s.isBlank()), jwt.maxAge(), jwt.clockSkew(),
                jwt.allowUnsolicited());
        return new JwtConnector(settings, signOnUrl.get(), keys, policy, replayGuard, time);
    }

    private static Set<String> algorithms(String id, Optional<String> configured, boolean symmetric,
            ConfigProblems problems) {
        Set<String> algorithms = new LinkedHashSet<>();
        boolean refused = false;
        if (configured.isEmpty() || configured.get().isBlank()) {
            algorithms.add(symmetric ? "HS256" : "RS256");
            return algorithms;
        }
        for (String alg : Arrays.stream(configured.get().split(",")).map(String::trim).filter(a -> !a.isEmpty()).toList()) {
            if (alg.equalsIgnoreCase("none")) {
                problems.add(id, "jwt.algorithms", "'none' is never accepted");
                refused = true;
            } else if (symmetric && !HMAC.contains(alg)) {
                problems.add(id, "jwt.algorithms", "'" + alg + "' cannot be used with jwt.shared-secret (use " + HMAC + ")");
                refused = true;
            } else if (!symmetric && !ASYMMETRIC.contains(alg)) {
                problems.add(id, "jwt.algorithms", "'" + alg + "' cannot be used with a public key (use " + ASYMMETRIC + ")");
                refused = true;
            } else {
                algorithms.add(alg);
            }
        }
        return refused ? Set.of() : algorithms;
    }
}
