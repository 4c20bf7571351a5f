package org.communitysso.gateway.connector.jwt;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** What a token must satisfy besides its signature. */
record JwtPolicy(Set<String> algorithms, Optional<String> issuer, Optional<String> audience, Duration maxAge,
        Duration clockSkew) {
}
