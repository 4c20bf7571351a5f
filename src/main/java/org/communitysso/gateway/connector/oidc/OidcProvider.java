package org.communitysso.gateway.connector.oidc;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.OidcClientConfigBuilder;
import io.quarkus.oidc.client.OidcClientException;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.oidc.client.runtime.OidcClientConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.communitysso.gateway.connector.CompactJws;
import org.communitysso.gateway.connector.IdpCalls;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.jboss.logging.Logger;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;
import org.jose4j.keys.resolvers.VerificationKeyResolver;

/**
 * Talks to one IdP: discovery, JWKS, the token endpoint (through Quarkus OIDC's
 * {@link OidcClient}, grant type {@code authorization_code}) and userinfo. Every
 * call is bounded by the connector's connect and read timeouts. Discovery is
 * lazy and retried on the next sign-on when it failed, so an IdP that is down
 * at start-up does not stop the gateway.
 */
final class OidcProvider {

    private static final Logger LOG = Logger.getLogger(OidcProvider.class);
    private static final int MAX_DOCUMENT_BYTES = 256 * 1024;

    record TokenResponse(String idToken, String accessToken) {
    }

    /** What the issuer's discovery document says about keys, when endpoints are explicit and jwks-url is not set. */
    enum KeyDiscovery {
        /** It offers jwks_uri. */
        FOUND,
        /** It answered, but offers no usable jwks_uri (no document, another issuer, no jwks_uri). */
        ABSENT,
        /** Not reachable, failing (5xx, 408, 429) or too slow: asked again at the next sign-on. */
        UNREACHABLE
    }

    private final String connectorId;
    private final OidcSettings settings;
    private final OidcClients oidcClients;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    private volatile OidcEndpoints endpoints;
    /** When discovery was last tried (System.nanoTime), successful or not. */
    private volatile long discoveredAt;
    private volatile VerificationKeyResolver keys;
    /** With explicit endpoints and no jwks-url: the discovered jwks_uri, or empty once the issuer answered without. */
    private volatile Optional<URI> discoveredJwks;
    private volatile boolean toldTls;
    private volatile OidcClient tokenClient;
    /** The JWKS behind {@link #keys}, when keys come from a URL: probed by the readiness check. */
    private volatile HttpsJwks jwksSet;

    OidcProvider(String connectorId, OidcSettings settings, OidcClients oidcClients) {
        this.connectorId = connectorId;
        this.settings = settings;
        this.oidcClients = oidcClients;
        this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The endpoints, discovering them on first use and again every discovery-refresh. */
    OidcEndpoints endpoints() {
        OidcEndpoints known = endpoints;
        if (known != null && !rediscoveryDue()) {
            return known;
        }
        synchronized (this) {
            if (endpoints == null) {
                endpoints = settings.discovery().map(this::discover).orElseGet(() -> new OidcEndpoints(
                        settings.issuer(), settings.authorizationUrl().get(), settings.tokenUrl().get(),
                        settings.userInfoUrl(), settings.jwksUrl(), settings.endSessionUrl()));
                discoveredAt = System.nanoTime();
            } else if (rediscoveryDue()) {
                rediscover();
            }
            return endpoints;
        }
    }

    private boolean rediscoveryDue() {
        return settings.discovery().isPresent()
                && System.nanoTime() - discoveredAt >= settings.discoveryRefresh().toNanos();
    }

    /**
     * Fetches the discovery document again: changed endpoints or keys apply from
     * the next call on; an IdP that cannot answer now keeps its last good copy.
     */
    private void rediscover() {
        discoveredAt = System.nanoTime(); // one attempt per interval, whatever its outcome
        try {
            OidcEndpoints fresh = discover(settings.discovery().get());
            if (!fresh.equals(endpoints)) {
                LOG.infof("connector %s: the issuer's discovery document changed; its new endpoints and keys apply now",
                        connectorId);
                endpoints = fresh;
                keys = null;
                jwksSet = null;
                tokenClient = null;
            }
        } catch (GatewayException e) {
            LOG.warnf("connector %s: discovery could not be refreshed (%s); keeping the last good copy", connectorId,
                    e.getMessage());
        }
    }

    /**
     * The verification keys for asymmetric signatures, or empty when the IdP has none
     * to offer and ID tokens from the (https) token endpoint are trusted on TLS. jose4j
     * caches the set and refetches it once when a token names an unknown kid (key
     * rotation), at most once per refetch interval. With an http token endpoint and no
     * keys the answer is {@code idp_unavailable}, never empty.
     */
    Optional<VerificationKeyResolver> keys() {
        VerificationKeyResolver known = keys;
        if (known != null) {
            return Optional.of(known);
        }
        synchronized (this) {
            if (keys == null) {
                Optional<URI> jwksUri = endpoints().jwks();
                if (jwksUri.isEmpty() && settings.keySource() != OidcSettings.KeySource.NONE) {
                    KeyDiscovery found = discoverJwks();
                    if (found == KeyDiscovery.UNREACHABLE) {
                        throw new GatewayException(Reason.IDP_UNAVAILABLE, connectorId,
                                "discovery (for the ID token keys) not reachable");
                    }
                    jwksUri = discoveredJwks;
                }
                if (jwksUri.isEmpty()) {
                    if (!settings.tlsFallback()) {
                        throw new GatewayException(Reason.IDP_UNAVAILABLE, connectorId,
                                "no keys: set jwks-url (the issuer's discovery document offers no jwks_uri)");
                    }
                    if (!toldTls) {
                        toldTls = true;
                        LOG.warnf("connector %s: the issuer's discovery document offers no jwks_uri: ID tokens are"
                                + " accepted on the strength of TLS to the token endpoint", connectorId);
                    }
                    return Optional.empty();
                }
                HttpsJwks jwks = CompactJws.timedJwks(connectorId, jwksUri.get(),
                        (int) settings.connectTimeout().toMillis(), (int) settings.readTimeout().toMillis());
                jwksSet = jwks;
                jwks.setDefaultCacheDuration(3600);
                jwks.setRefreshReprieveThreshold(settings.jwksRefetchInterval().toMillis());
                HttpsJwksVerificationKeyResolver resolver = new HttpsJwksVerificationKeyResolver(jwks);
                resolver.setDisambiguateWithVerifySignature(true);
                keys = resolver;
            }
            return Optional.of(keys);
        }
    }

    /**
     * Looks for {@code jwks_uri} in the issuer's discovery document (explicit endpoints
     * without jwks-url). An answer is kept, as discovered endpoints are; an unreachable
     * document is asked for again next time.
     */
    synchronized KeyDiscovery discoverJwks() {
        Optional<URI> known = discoveredJwks;
        if (known != null) {
            return known.isPresent() ? KeyDiscovery.FOUND : KeyDiscovery.ABSENT;
        }
        URI url = settings.discoveryForKeys();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(settings.readTimeout())
                .header("Accept", "application/json").GET().build();
        HttpResponse<byte[]> response;
        try {
            response = send(request, "discovery");
        } catch (GatewayException e) {
            LOG.warnf("connector %s: discovery for the ID token keys failed (%s)", connectorId, e.getMessage());
            return KeyDiscovery.UNREACHABLE;
        }
        int status = response.statusCode();
        if (status >= 500 || status == 408 || status == 429) {
            LOG.warnf("connector %s: discovery for the ID token keys answered HTTP %d", connectorId,
                    response.statusCode());
            return KeyDiscovery.UNREACHABLE;
        }
        Map<String, Object> document;
        try {
            document = parse(response, "discovery");
        } catch (GatewayException e) {
            // 404 and the like: the issuer offers no discovery document
            discoveredJwks = Optional.empty();
            return KeyDiscovery.ABSENT;
        }
        Optional<URI> jwks = settings.issuer().equals(document.get("issuer"))
                ? optional(document, "jwks_uri") : Optional.empty();
        discoveredJwks = jwks;
        if (jwks.isPresent()) {
            LOG.infof("connector %s: ID token keys from %s", connectorId, jwks.get());
        }
        return jwks.isPresent() ? KeyDiscovery.FOUND : KeyDiscovery.ABSENT;
    }

    /** Redeems the authorization code at the token endpoint. */
    TokenResponse redeem(String code, String redirectUri, String codeVerifier) {
        Map<String, String> grant = new LinkedHashMap<>();
        grant.put("code", code);
        grant.put("redirect_uri", redirectUri);
        grant.put("code_verifier", codeVerifier);
        Tokens tokens;
        try {
            OidcClient client = tokenClient();
            tokens = IdpCalls.timeUnchecked(connectorId, "token",
                    () -> client.getTokens(grant).await().atMost(settings.readTimeout()));
        } catch (OidcClientException e) {
            if (hasCause(e, IOException.class)) {
                throw unavailable("token endpoint", e);
            }
            // The IdP answered, and refused: an unknown, expired or already redeemed code.
            throw new GatewayException(Reason.CODE_INVALID, connectorId, "token endpoint refused the code: "
                    + safe(e.getMessage()));
        } catch (GatewayException e) {
            throw e;
        } catch (RuntimeException e) {
            throw unavailable("token endpoint", e);
        }
        String idToken = tokens.get("id_token");
        if (idToken == null || idToken.isBlank()) {
            throw new GatewayException(Reason.TOKEN_MISSING, connectorId, "token response carried no id_token");
        }
        return new TokenResponse(idToken, tokens.getAccessToken());
    }

    /** The userinfo claims for an access token. */
    Map<String, Object> userInfo(URI endpoint, String accessToken) {
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(settings.readTimeout())
                .header("Authorization", "Bearer " + accessToken).header("Accept", "application/json").GET().build();
        return IdpCalls.timeUnchecked(connectorId, "userinfo", () -> fetchJson(request, "userinfo endpoint"));
    }

    /**
     * For the readiness check: discovery (if used) and the key set, fetched once and
     * then from jose4j's cache; throws {@code idp_unavailable} when either fails.
     */
    void probe() {
        endpoints();
        keys();
        HttpsJwks jwks = jwksSet;
        if (jwks != null) {
            try {
                if (jwks.getJsonWebKeys().isEmpty()) {
                    throw new GatewayException(Reason.IDP_UNAVAILABLE, connectorId, "JWKS holds no keys");
                }
            } catch (GatewayException e) {
                throw e;
            } catch (Exception e) {
                throw unavailable("JWKS", e);
            }
        }
    }

    private OidcEndpoints discover(URI discoveryUrl) {
        HttpRequest request = HttpRequest.newBuilder(discoveryUrl).timeout(settings.readTimeout())
                .header("Accept", "application/json").GET().build();
        Map<String, Object> document = fetchJson(request, "discovery");
        Object issuer = document.get("issuer");
        if (!settings.issuer().equals(issuer)) {
            // OpenID Connect Discovery 1.0, 4.3: the document must name the issuer it was fetched for.
            throw new GatewayException(Reason.IDP_UNAVAILABLE, connectorId,
                    "discovery document names another issuer than the configured one");
        }
        URI authorization = settings.authorizationUrl().orElseGet(() -> required(document, "authorization_endpoint"));
        URI token = settings.tokenUrl().orElseGet(() -> required(document, "token_endpoint"));
        Optional<URI> jwks = Optional.of(settings.jwksUrl().orElseGet(() -> required(document, "jwks_uri")));
        Optional<URI> userInfo = settings.userInfoUrl().or(() -> optional(document, "userinfo_endpoint"));
        Optional<URI> endSession = settings.endSessionUrl().or(() -> optional(document, "end_session_endpoint"));
        LOG.infof("connector %s: discovered the endpoints of %s", connectorId, settings.issuer());
        return new OidcEndpoints(settings.issuer(), authorization, token, userInfo, jwks, endSession);
    }

    private OidcClient tokenClient() {
        OidcClient known = tokenClient;
        if (known != null) {
            return known;
        }
        synchronized (this) {
            if (tokenClient == null) {
                URI token = endpoints().token();
                OidcClientConfigBuilder builder = new OidcClientConfigBuilder()
                        .id("gateway-" + connectorId)
                        .authServerUrl(settings.issuer())
                        .discoveryEnabled(false)
                        .tokenPath(token.toString())
                        .clientId(settings.clientId())
                        .connectionTimeout(settings.connectTimeout())
                        .connectionRetryCount(1)
                        .earlyTokensAcquisition(false)
                        .grant(OidcClientConfig.Grant.Type.CODE);
                settings.clientSecret().ifPresent(builder::credentials);
                OidcClientConfig config = builder.build();
                try {
                    tokenClient = oidcClients.newClient(config).await().atMost(settings.readTimeout());
                } catch (RuntimeException e) {
                    throw unavailable("token client set-up", e);
                }
            }
            return tokenClient;
        }
    }

    private Map<String, Object> fetchJson(HttpRequest request, String what) {
        return parse(send(request, what), what);
    }

    private HttpResponse<byte[]> send(HttpRequest request, String what) {
        try {
            return IdpCalls.time(connectorId, what.startsWith("discovery") ? "discovery" : what.split(" ")[0],
                    () -> http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(what, e);
        } catch (Exception e) {
            throw unavailable(what, e);
        }
    }

    private Map<String, Object> parse(HttpResponse<byte[]> response, String what) {
        if (response.statusCode() != 200) {
            throw new GatewayException(Reason.IDP_UNAVAILABLE, connectorId, what + " answered HTTP " + response.statusCode());
        }
        if (response.body().length > MAX_DOCUMENT_BYTES) {
            throw new GatewayException(Reason.IDP_UNAVAILABLE, connectorId, what + " answer is too large");
        }
        try {
            return json.readValue(response.body(), new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            throw new GatewayException(Reason.IDP_UNAVAILABLE, connectorId, what + " answer is not a JSON object");
        }
    }

    private URI required(Map<String, Object> document, String name) {
        return optional(document, name).orElseThrow(() -> new GatewayException(Reason.IDP_UNAVAILABLE, connectorId,
                "discovery document has no usable " + name));
    }

    private static Optional<URI> optional(Map<String, Object> document, String name) {
        if (!(document.get(name) instanceof String text)) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
            return (scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null
                    ? Optional.of(uri) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private GatewayException unavailable(String what, Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new GatewayException(Reason.IDP_UNAVAILABLE, connectorId,
                what + " not reachable: " + root.getClass().getSimpleName());
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable cause = t; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    /** IdP error texts are short codes; keep them printable and short in our logs. */
    private static String safe(String text) {
        if (text == null) {
            return "";
        }
        String cut = text.length() > 200 ? text.substring(0, 200) : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
