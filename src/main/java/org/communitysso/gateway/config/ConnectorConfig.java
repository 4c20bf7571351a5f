package org.communitysso.gateway.config;

import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** {@code gateway.connectors.<id>.*}: what every connector has, plus one group per protocol. */
public interface ConnectorConfig {

    /** jwt | oidc | oauth2 | saml2 | facebook */
    String type();

    Optional<String> label();

    Optional<String> icon();

    @WithDefault("true")
    boolean enabled();

    /** Usable through its own URL only, hidden from the sign-in page. */
    @WithDefault("false")
    boolean testing();

    /** Link to an existing account with the same email (the IdP verifies emails). */
    @WithDefault("false")
    boolean trustEmail();

    Optional<String> signOnUrl();

    Optional<String> signOffUrl();

    ConnectorSessionConfig session();

    /** field (id, username, email, custom-roles, avatar, groups) to claim / attribute / dotted path. */
    Map<String, String> mapping();

    /** IdP group to comma-separated community role ids. */
    Map<String, String> roleMapping();

    JwtConfig jwt();

    interface ConnectorSessionConfig {
        Optional<Duration> inactivityTimeout();

        Optional<Duration> absoluteLifetime();
    }

    interface JwtConfig {
        Optional<String> publicKey();

        Optional<String> jwksUrl();

        Optional<String> sharedSecret();

        Optional<String> algorithms();

        Optional<String> issuer();

        Optional<String> audience();

        @WithDefault("5M")
        Duration maxAge();

        @WithDefault("30S")
        Duration clockSkew();

        /** Minimum time between two JWKS fetches triggered by an unknown kid. */
        @WithDefault("30S")
        Duration jwksRefetchInterval();
    }
}
