package org.communitysso.gateway.connector.oidc;

import io.quarkus.oidc.client.OidcClients;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.config.ConnectorConfig;
import org.communitysso.gateway.connector.ConfigProblems;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorFactory;
import org.communitysso.gateway.connector.ConnectorSettings;
import org.communitysso.gateway.connector.ReplayGuard;

/**
 * Validates an {@code oidc} connector's settings and builds it. With only
 * {@code issuer} the endpoints come from discovery; with {@code authorization-url}
 * they are configured: then {@code token-url} and {@code jwks-url} are required too.
 */
@ApplicationScoped
public class OidcConnectorFactory implements ConnectorFactory {

    /**
     * Unused here: Quarkus registers a {@code @ConfigMapping} (and so accepts its
     * keys) only where one is injected. The factory reads it through {@link Context}.
     */
    @Inject
    OidcConfig keys;

    static final Set<String> ALGORITHMS = Set.of(
            "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");
    private static final String DEFAULT_SCOPE = "openid email profile";

    private final ReplayGuard replayGuard;
    private final TimeSource time;
    private final OidcClients oidcClients;

    @Inject
    public OidcConnectorFactory(ReplayGuard replayGuard, TimeSource time, OidcClients oidcClients) {
        this.replayGuard = replayGuard;
        this.time = time;
        this.oidcClients = oidcClients;
    }

    @Override
    public String type() {
        return "oidc";
    }

    @Override
    public String returnAlias() {
        return "openidconnect";
    }

    @Override
    public Class<?> configMapping() {
        return OidcConfig.class;
    }

    @Override
    public Connector create(ConnectorSettings settings, Context context, ConfigProblems problems) {
        OidcSettings oidc = settings(settings.id(), context.common(),
                context.mapping(OidcConfig.class).connectors().get(settings.id()), problems);
        if (oidc == null) {
            return null;
        }
        return new OidcConnector(settings, oidc, new OidcProvider(settings.id(), oidc, oidcClients), replayGuard, time);
    }

    /** The validated settings, or null after reporting every problem. */
    static OidcSettings settings(String id, ConnectorConfig common, OidcConfig.Entry config, ConfigProblems problems) {
        int before = problems.all().size();
        Optional<URI> issuer = problems.httpUrl(id, "issuer", config.issuer(), true);
        Optional<String> clientId = config.clientId().map(String::trim).filter(s -> !s.isEmpty());
        if (clientId.isEmpty()) {
            problems.add(id, "client-id", "is required");
        }
        String scope = config.scope().map(String::trim).filter(s -> !s.isEmpty()).orElse(DEFAULT_SCOPE);
        if (!Arrays.asList(scope.split("\\s+")).contains("openid")) {
            problems.add(id, "scope", "must contain 'openid'");
        }
        boolean explicit = config.authorizationUrl().filter(s -> !s.isBlank()).isPresent();
        Optional<URI> authorization = problems.httpUrl(id, "authorization-url", config.authorizationUrl(), false);
        Optional<URI> token = problems.httpUrl(id, "token-url", config.tokenUrl(), explicit);
        Optional<URI> jwks = problems.httpUrl(id, "jwks-url", config.jwksUrl(), explicit);
        Optional<URI> userInfo = problems.httpUrl(id, "user-info-url", config.userInfoUrl(), false);
        Optional<URI> endSession = problems.httpUrl(id, "end-session-url", config.endSessionUrl(), false);

        OidcConfig.Keys o = config.oidc();
        positive(id, "oidc.logout-token-max-age", o.logoutTokenMaxAge(), problems);
        if (o.clockSkew().isNegative()) {
            problems.add(id, "oidc.clock-skew", "must not be negative");
        }
        if (o.jwksRefetchInterval().isNegative()) {
            problems.add(id, "oidc.jwks-refetch-interval", "must not be negative");
        }
        Set<String> algorithms = new LinkedHashSet<>();
        for (String alg : o.algorithms().split(",")) {
            String name = alg.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (!ALGORITHMS.contains(name)) {
                problems.add(id, "oidc.algorithms", "'" + name + "' is not accepted (use " + ALGORITHMS
                        + "; never none, never HMAC)");
            }
            algorithms.add(name);
        }
        if (algorithms.isEmpty()) {
            problems.add(id, "oidc.algorithms", "must name at least one algorithm");
        }
        if (problems.all().size() > before) {
            return null;
        }
        String issuerText = config.issuer().get().trim();
        Optional<URI> discovery = explicit ? Optional.empty() : Optional.of(discoveryUrl(issuerText));
        return new OidcSettings(issuerText, clientId.get(), config.clientSecret().filter(s -> !s.isBlank()), scope,
                discovery, authorization, token, userInfo, jwks, endSession, o.userInfo(), Set.copyOf(algorithms),
                common.connectTimeout(), common.readTimeout(), o.clockSkew(), o.jwksRefetchInterval(), o.logoutTokenMaxAge());
    }

    /** OpenID Connect Discovery 1.0, 4: the issuer with /.well-known/openid-configuration appended. */
    static URI discoveryUrl(String issuer) {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        return URI.create(base + "/.well-known/openid-configuration");
    }

    private static void positive(String id, String key, Duration value, ConfigProblems problems) {
        if (value.isNegative() || value.isZero()) {
            problems.add(id, key, "must be positive");
        }
    }
}
