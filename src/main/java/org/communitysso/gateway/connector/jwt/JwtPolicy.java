package org.communitysso.gateway.connector.jwt;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * What a token must satisfy besides its signature; {@code allowUnsolicited}:
 * whether a token is accepted without a sign-on started at the gateway.
 */
record JwtPolicy(Set<String> algorithms, Optional<String> issuer, Optional<String> audience, Duration maxAge,
        Duration clockSkew, boolean allowUnsolicited) {
}
