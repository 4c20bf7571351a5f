package org.communitysso.gateway.connector.jwt;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithDefaults;
import io.smallrye.config.WithParentName;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** {@code gateway.connectors.<id>.jwt.*}: the jwt connector's own keys. */
@ConfigMapping(prefix = "gateway.connectors")
public interface JwtConfig {

    /** By connector id; an id without any of these keys reads the defaults. */
    @WithParentName
    @WithDefaults
    Map<String, Entry> connectors();

    interface Entry {
        Keys jwt();
    }

    interface Keys {
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

        /** Accept a token that arrives without a sign-on state (not read yet). */
        @WithDefault("true")
        boolean allowUnsolicited();
    }
}
