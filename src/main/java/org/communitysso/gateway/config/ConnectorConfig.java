package org.communitysso.gateway.config;

import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * {@code gateway.connectors.<id>.*}: what every connector has. Each protocol maps
 * its own keys in its own package (a {@code @ConfigMapping} over
 * {@code gateway.connectors}); together they map every key, so an unknown key
 * still stops start-up.
 */
public interface ConnectorConfig {

    /** Which factory builds the connector ({@code ConnectorFactory.type()}). */
    String type();

    Optional<String> label();

    Optional<String> icon();

    /** A line under the connector's button on the sign-in page (who should use it). */
    Optional<String> description();

    @WithDefault("true")
    boolean enabled();

    /** Usable through its own URL only, hidden from the sign-in page. */
    @WithDefault("false")
    boolean testing();

    /** Link to an existing account with the same email (the IdP verifies emails). */
    @WithDefault("false")
    boolean trustEmail();

    /** The IdP's sign-on endpoint, for protocols that are given one. */
    Optional<String> signOnUrl();

    Optional<String> signOffUrl();

    /**
     * The gateway return URL sent to the IdP ({@code redirect_uri}, SAML ACS URL):
     * absolute, and one of the gateway's return paths for this connector (its own
     * {@code /auth/<id>/return} or its type's shared one). Default: the connector's own.
     */
    Optional<String> returnUrl();

    /** Calls the gateway makes to the IdP (token, profile, keys) give up after these. */
    @WithDefault("5S")
    Duration connectTimeout();

    @WithDefault("10S")
    Duration readTimeout();

    ConnectorSessionConfig session();

    /** field (id, username, email, custom-roles, avatar, groups) to claim / attribute / dotted path. */
    Map<String, String> mapping();

    /** IdP group to comma-separated community role ids. */
    Map<String, String> roleMapping();

    interface ConnectorSessionConfig {
        Optional<Duration> inactivityTimeout();

        Optional<Duration> absoluteLifetime();
    }
}
