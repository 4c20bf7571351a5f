package org.communitysso.gateway.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.session.SessionService;
import org.communitysso.gateway.session.SessionsRevoked;
import org.jboss.logging.Logger;

/**
 * The gateway's own meters (Prometheus names): {@code gateway_sign_on_total{connector,outcome,reason}},
 * {@code gateway_sessions_live}, {@code gateway_check_seconds}, {@code gateway_sessions_revoked_total{cause}},
 * {@code gateway_accounts_provisioned_total{connector}}, {@code gateway_accounts_linked_total{connector,by}}.
 * {@code gateway_idp_request_seconds} is timed by the connectors ({@code connector.IdpCalls}).
 * Labels carry connector ids and reason codes only: bounded, and never personal data.
 */
@ApplicationScoped
public class GatewayMetrics {

    private static final Logger LOG = Logger.getLogger(GatewayMetrics.class);
    /** The live-session count is a database query: asked at most this often, whatever the scrape rate. */
    private static final Duration LIVE_COUNT_MAX_AGE = Duration.ofSeconds(15);

    public static final String SUCCESS = "success";
    public static final String FAILURE = "failure";
    /** A verified sign-on waiting for the new member's sign-up form. */
    public static final String PROFILE_REQUIRED = "profile_required";

    private final MeterRegistry registry;
    private final SessionService sessions;
    private final TimeSource time;
    private final Timer check;
    private final AtomicLong liveSessions = new AtomicLong();
    private volatile long liveCountedAt = Long.MIN_VALUE;

    @Inject
    public GatewayMetrics(MeterRegistry registry, SessionService sessions, TimeSource time) {
        this.registry = registry;
        this.sessions = sessions;
        this.time = time;
        this.check = Timer.builder("gateway.check").description("Time to answer /auth/check")
                .publishPercentileHistogram().register(registry);
        Gauge.builder("gateway.sessions.live", this, GatewayMetrics::liveSessions)
                .description("Sessions that have not expired or been revoked").register(registry);
    }

    public void signOn(String connectorId, String outcome, String reason) {
        Counter.builder("gateway.sign.on").description("Sign-ons by connector, outcome and reason")
                .tag("connector", connectorId == null ? "-" : connectorId).tag("outcome", outcome)
                .tag("reason", reason == null ? "none" : reason).register(registry).increment();
    }

    public void provisioned(String connectorId) {
        Counter.builder("gateway.accounts.provisioned").description("Accounts created at a first sign-on")
                .tag("connector", connectorId).register(registry).increment();
    }

    public void linked(String connectorId, String by) {
        Counter.builder("gateway.accounts.linked").description("Sign-in methods linked to an existing account")
                .tag("connector", connectorId).tag("by", by).register(registry).increment();
    }

    public Timer checkTimer() {
        return check;
    }

    void revoked(@Observes SessionsRevoked revoked) {
        Counter.builder("gateway.sessions.revoked").description("Sessions ended before their time, by cause")
                .tag("cause", revoked.why()).register(registry).increment(revoked.sessions().size());
    }

    /** Counted again when the last count is older than {@link #LIVE_COUNT_MAX_AGE}; the last count if the database fails. */
    private double liveSessions() {
        long now = time.nowSeconds();
        if (now - liveCountedAt >= LIVE_COUNT_MAX_AGE.toSeconds()) {
            try {
                liveSessions.set(sessions.countLive());
                liveCountedAt = now;
            } catch (RuntimeException e) {
                LOG.warnf("live sessions not counted: %s", e.getClass().getSimpleName());
            }
        }
        return liveSessions.get();
    }
}
