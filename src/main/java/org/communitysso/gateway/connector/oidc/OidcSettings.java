package org.communitysso.gateway.connector.oidc;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * One OIDC connector's validated settings. {@code discovery} is the issuer's
 * discovery document when endpoints are not configured explicitly; configured
 * endpoints override discovered ones.
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
        Duration connectTimeout,
        Duration readTimeout,
        Duration clockSkew,
        Duration jwksRefetchInterval,
        Duration logoutTokenMaxAge) {
}
