package org.communitysso.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The whole {@code gateway.*} configuration (SPEC section 10 names). */
@ConfigMapping(prefix = "gateway")
public interface GatewayConfig {

    /** Where refused or missing return_urls go. */
    @WithDefault("/")
    String landingUrl();

    /** Origins (scheme://host[:port]) an absolute return_url may point at. */
    Optional<List<String>> allowedReturnOrigins();

    /** The gateway's own external base URL; derived from the request when absent. */
    Optional<String> publicUrl();

    /** Key for signing the short-lived sign-on state cookie; random per process when absent. */
    Optional<String> stateSecret();

    /** How long a started sign-on may take at the IdP. */
    @WithDefault("10M")
    Duration signOnTimeout();

    /**
     * How often expired sessions, sign-on states, pending sign-ons and used token
     * ids are deleted (read by the {@code @Scheduled} jobs; mapped here so that
     * setting it is accepted).
     */
    @WithDefault("5m")
    Duration sweepInterval();

    /**
     * Per connector: how many sign-on steps that may wait on the IdP run at
     * once; more are refused with idp_unavailable (a slow IdP holds only its share).
     */
    @WithDefault("100")
    int maxConcurrentIdpCalls();

    SessionConfig session();

    AccountsConfig accounts();

    /** What members see on the gateway's pages (SPEC 11). */
    UiConfig ui();

    Map<String, ConnectorConfig> connectors();

    interface SessionConfig {
        @WithDefault("48H")
        Duration inactivityTimeout();

        Optional<Duration> absoluteLifetime();

        @WithDefault("true")
        boolean cookieSecure();

        /** Activity is written at most once per interval per session. */
        @WithDefault("60S")
        Duration touchInterval();

        @WithDefault("500")
        int sweepBatchSize();

        /**
         * How long a revocation or account change made on one gateway instance
         * may take to reach the session caches of the others (they poll the
         * database's feed this often).
         */
        @WithDefault("1S")
        Duration revocationLag();

        /** Sessions whose check answers one instance keeps in memory. */
        @WithDefault("50000")
        int cacheSize();

        /** A cached answer nobody asked for this long is dropped. */
        @WithDefault("10M")
        Duration cacheIdleTime();

        /** Activity seen in memory is written this often (one statement per batch); a crash loses at most this much. */
        @WithDefault("5S")
        Duration activityFlushInterval();
    }

    interface UiConfig {
        Optional<String> communityName();

        Optional<String> logoUrl();

        /** #rgb or #rrggbb. */
        Optional<String> accentColor();

        Optional<String> supportUrl();

        /** With one connector on the sign-in page, go straight to its IdP ({@code ?choose=1} shows the page). */
        @WithDefault("true")
        boolean skipSingleConnector();
    }

    interface AccountsConfig {
        /** Ask a new member for an email when the IdP gives none. */
        @WithDefault("false")
        boolean requireEmail();

        /** Overwrite the community username with the IdP's on every sign-on. */
        @WithDefault("true")
        boolean syncUsername();

        /** How long a member has to finish the choose-username form. */
        @WithDefault("30M")
        Duration pendingLifetime();
    }
}
