package org.communitysso.gateway.testing;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.communitysso.gateway.TimeSource;

/** The real clock plus an offset tests can move forward; reset after each use. */
@Alternative
@Priority(1)
@ApplicationScoped
public class MovableTimeSource extends TimeSource {

    private final AtomicLong offsetSeconds = new AtomicLong();

    @Override
    public Instant now() {
        return Instant.now().plusSeconds(offsetSeconds.get());
    }

    public void advance(Duration duration) {
        offsetSeconds.addAndGet(duration.toSeconds());
    }

    public void reset() {
        offsetSeconds.set(0);
    }
}
