package org.communitysso.gateway.sites;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code gateway.sso.*}: one-time tokens and back-channel sign-off delivery. */
@ConfigMapping(prefix = "gateway.sso")
public interface SsoConfig {

    /** How long a one-time token may wait for its exchange. */
    @WithDefault("60S")
    Duration ottLifetime();

    /** How long one delivery of a logout token to a site may take (connect and answer). */
    @WithDefault("2S")
    Duration logoutTimeout();

    /** How many times a logout token is offered to a site that does not take it (the first try included). */
    @WithDefault("3")
    int logoutAttempts();

    /** Pause before the second attempt; doubled for each further one. */
    @WithDefault("1S")
    Duration logoutRetryDelay();
}
