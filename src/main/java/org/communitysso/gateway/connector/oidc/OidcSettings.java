package org.communitysso.gateway.connector.oidc;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * One OIDC connector's validated settings. {@code discovery} is the issuer's
 * discovery document when endpoints are not configured explicitly; configured
 * endpoints override discovered ones. {@code keySource} says where the keys
 * for asymmetric ID token signatures come from.
 */
record OidcSettings(
        String issuer,
        String clientId,
        Optional<String> clientSecret,
        String scope,
        Optional<URI> discovery,
        Optional<URI> authorizationUrl,
        Optional<URI> tokenUrl,
        Optional<URI> userInfoUrl,
        Optional<URI> jwksUrl,
        Optional<URI> endSessionUrl,
        boolean userInfo,
        Set<String> algorithms,
        KeySource keySource,
        Duration connectTimeout,
        Duration readTimeout,
        Duration clockSkew,
        Duration jwksRefetchInterval,
        Duration logoutTokenMaxAge,
        Duration discoveryRefresh) {

    /** Where the IdP's public keys come from. */
    enum KeySource {
        /** {@code jwks-url}, or the discovery document's {@code jwks_uri} (discovery mode: required there). */
        JWKS,
        /**
         * Explicit endpoints without {@code jwks-url}, https token endpoint: the issuer's
         * discovery document's {@code jwks_uri} when it offers one; otherwise an ID token
         * received directly from the token endpoint is trusted on TLS (OIDC Core 3.1.3.7 (6)).
         */
        DISCOVERED_OR_TLS,
        /** As above with an http token endpoint: the discovery document must offer {@code jwks_uri}. */
        DISCOVERED,
        /** Only HMAC algorithms are accepted: the client secret is the key, no public keys are needed. */
        NONE
    }

    /** The issuer's discovery document, whichever the mode: where keys are looked for without {@code jwks-url}. */
    URI discoveryForKeys() {
        return OidcConnectorFactory.discoveryUrl(issuer);
    }

    /** Whether an ID token from the token endpoint may be accepted on TLS when no keys are known. */
    boolean tlsFallback() {
        return keySource == KeySource.DISCOVERED_OR_TLS
                && tokenUrl.map(u -> "https".equalsIgnoreCase(u.getScheme())).orElse(false);
    }
}
