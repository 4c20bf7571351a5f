package org.communitysso.gateway.connector.oidc;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithDefaults;
import io.smallrye.config.WithParentName;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The oidc connector's own keys under {@code gateway.connectors.<id>}: issuer, client, endpoints, {@code oidc.*}. */
@ConfigMapping(prefix = "gateway.connectors")
public interface OidcConfig {

    /** By connector id; an id without any of these keys reads the defaults. */
    @WithParentName
    @WithDefaults
    Map<String, Entry> connectors();

    interface Entry {
        Optional<String> issuer();

        Optional<String> clientId();

        Optional<String> clientSecret();

        Optional<String> scope();

        Optional<String> authorizationUrl();

        Optional<String> tokenUrl();

        Optional<String> userInfoUrl();

        Optional<String> jwksUrl();

        Optional<String> endSessionUrl();

        Keys oidc();
    }

    interface Keys {
        @WithDefault("30S")
        Duration clockSkew();

        /** Minimum time between two JWKS fetches triggered by an unknown kid. */
        @WithDefault("30S")
        Duration jwksRefetchInterval();

        /** Signature algorithms accepted on ID and logout tokens (asymmetric only). */
        @WithDefault("RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512")
        String algorithms();

        /** Call the userinfo endpoint (configured or discovered) and merge its claims. */
        @WithDefault("true")
        boolean userInfo();

        /**
         * How often the issuer's discovery document is fetched again (new endpoints or a
         * new jwks_uri); a failed fetch keeps the last good copy.
         */
        @WithDefault("6H")
        Duration discoveryRefresh();

        /** A back-channel logout token older than this (by iat) is refused. */
        @WithDefault("5M")
        Duration logoutTokenMaxAge();
    }
}
