package org.communitysso.gateway;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/** The gateway's clock; tests swap it for one they can move. */
@ApplicationScoped
public class TimeSource {

    public Instant now() {
        return Instant.now();
    }

    public long nowSeconds() {
        return now().getEpochSecond();
    }
}
