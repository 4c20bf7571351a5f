package org.communitysso.gateway.connector.oidc;

import io.quarkus.oidc.client.OidcClients;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.config.ConnectorConfig;
import org.communitysso.gateway.connector.ConfigProblems;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorFactory;
import org.communitysso.gateway.connector.ConnectorSettings;
import org.communitysso.gateway.connector.ReplayGuard;
import org.jboss.logging.Logger;

/**
 * Validates an {@code oidc} connector's settings and builds it. With only
 * {@code issuer} the endpoints come from discovery; with {@code authorization-url}
 * they are configured: then {@code token-url} is required too. Without
 * {@code jwks-url} the keys come from the issuer's discovery document when it
 * offers {@code jwks_uri}; failing that, an ID token received directly from an
 * https token endpoint is trusted on TLS (OpenID Connect Core 3.1.3.7 (6)). An
 * http token endpoint gets no such trust: its keys must be configured or
 * discoverable, which start-up checks.
 */
@ApplicationScoped
public class OidcConnectorFactory implements ConnectorFactory {

    /**
     * Unused here: Quarkus registers a {@code @ConfigMapping} (and so accepts its
     * keys) only where one is injected. The factory reads it through {@link Context}.
     */
    @Inject
    OidcConfig keys;

    static final Set<String> ASYMMETRIC = Set.of(
            "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");
    /** OIDC Core 10.1: HMAC keyed with the octets of the client secret; the least key length, in bytes (RFC 7518, 3.2). */
    static final Map<String, Integer> HMAC = Map.of("HS256", 32, "HS384", 48, "HS512", 64);
    private static final Logger LOG = Logger.getLogger(OidcConnectorFactory.class);
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
        OidcProvider provider = new OidcProvider(settings.id(), oidc, oidcClients);
        if (!checkKeys(settings.id(), oidc, provider, problems)) {
            return null;
        }
        return new OidcConnector(settings, oidc, provider, replayGuard, time);
    }

    /**
     * Says at start-up where ID token keys come from when {@code jwks-url} is not set
     * with explicit endpoints. For an http token endpoint the discovery document is
     * fetched now: answering without {@code jwks_uri} stops start-up naming
     * {@code jwks-url}; unreachable, the gateway starts and refuses sign-ons until it answers.
     */
    static boolean checkKeys(String id, OidcSettings oidc, OidcProvider provider, ConfigProblems problems) {
        switch (oidc.keySource()) {
            case DISCOVERED_OR_TLS -> LOG.warnf("connector %s: no jwks-url, so no keys are configured: ID tokens are"
                    + " checked with the keys of the issuer's discovery document if it offers jwks_uri (fetched at the"
                    + " first sign-on); otherwise they are accepted on the strength of TLS to the https token endpoint"
                    + " %s, as OpenID Connect Core 3.1.3.7 (6) allows. Back-channel logout needs keys (set jwks-url).",
                    id, oidc.tokenUrl().get());
            case DISCOVERED -> {
                switch (provider.discoverJwks()) {
                    case FOUND -> LOG.infof("connector %s: ID token keys from the issuer's discovery document", id);
                    case ABSENT -> {
                        problems.add(id, "jwks-url", "is required: token-url is http and the issuer's discovery"
                                + " document (" + oidc.discoveryForKeys() + ") offers no jwks_uri; an ID token is"
                                + " accepted without a signature check only from an https token endpoint");
                        return false;
                    }
                    case UNREACHABLE -> LOG.warnf("connector %s: no jwks-url and the issuer's discovery document"
                            + " could not be fetched; sign-ons are refused (idp_unavailable) until it offers jwks_uri",
                            id);
                }
            }
            default -> { }
        }
        return true;
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
        Optional<URI> jwks = problems.httpUrl(id, "jwks-url", config.jwksUrl(), false);
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
        Optional<String> secret = config.clientSecret().filter(s -> !s.isBlank());
        Set<String> algorithms = new LinkedHashSet<>();
        for (String alg : o.algorithms().split(",")) {
            String name = alg.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (HMAC.containsKey(name)) {
                int least = HMAC.get(name);
                int length = secret.map(s -> s.getBytes(StandardCharsets.UTF_8).length).orElse(0);
                if (length < least) {
                    problems.add(id, "client-secret", (secret.isEmpty() ? "is required" : "is too short")
                            + " for " + name + " in oidc.algorithms (the secret is its key: at least " + least
                            + " bytes)");
                }
            } else if (!ASYMMETRIC.contains(name)) {
                problems.add(id, "oidc.algorithms", "'" + name + "' is not accepted (use " + ASYMMETRIC
                        + ", or " + new TreeSet<>(HMAC.keySet()) + " keyed by client-secret; never none)");
            }
            algorithms.add(name);
        }
        if (algorithms.isEmpty()) {
            problems.add(id, "oidc.algorithms", "must name at least one algorithm");
        }
        boolean asymmetric = algorithms.stream().anyMatch(ASYMMETRIC::contains);
        OidcSettings.KeySource keySource;
        if (!asymmetric) {
            keySource = OidcSettings.KeySource.NONE;
        } else if (jwks.isPresent() || !explicit) {
            keySource = OidcSettings.KeySource.JWKS;
        } else if (token.map(u -> "https".equalsIgnoreCase(u.getScheme())).orElse(true)) {
            keySource = OidcSettings.KeySource.DISCOVERED_OR_TLS;
        } else {
            keySource = OidcSettings.KeySource.DISCOVERED;
        }
        if (problems.all().size() > before) {
            return null;
        }
        String issuerText = config.issuer().get().trim();
        Optional<URI> discovery = explicit ? Optional.empty() : Optional.of(discoveryUrl(issuerText));
        return new OidcSettings(issuerText, clientId.get(), secret, scope,
                discovery, authorization, token, userInfo, jwks, endSession, o.userInfo(), Set.copyOf(algorithms),
                keySource, common.connectTimeout(), common.readTimeout(), o.clockSkew(), o.jwksRefetchInterval(), o.logoutTokenMaxAge(),
                o.discoveryRefresh());
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
