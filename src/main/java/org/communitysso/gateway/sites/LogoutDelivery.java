package org.communitysso.gateway.sites;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.audit.Audit;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/**
 * Tells sites that a member's sign-on ended: POSTs a logout token (the shape
 * of OIDC Back-Channel Logout, HS256 under the site's secret) to the site's
 * {@code logout-url}, in the background. Each attempt times out after
 * {@code gateway.sso.logout-timeout}; a failed one is tried again after a
 * growing pause, at most {@code gateway.sso.logout-attempts} times. Pending
 * deliveries live in memory only: a restart drops them.
 */
@ApplicationScoped
public class LogoutDelivery {

    static final String EVENT = "http://schemas.openid.net/event/backchannel-logout";
    /** How long a site may accept a logout token after it was made (retries make a fresh one). */
    private static final long TOKEN_LIFETIME_SECONDS = 120;

    private final SsoConfig config;
    private final TimeSource time;
    private final HttpClient http;
    private final ScheduledExecutorService background;

    @Inject
    public LogoutDelivery(SsoConfig config, TimeSource time) {
        this.config = config;
        this.time = time;
        AtomicInteger threads = new AtomicInteger();
        this.background = Executors.newScheduledThreadPool(2, task -> {
            Thread thread = new Thread(task, "site-sign-off-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.http = HttpClient.newBuilder().connectTimeout(config.logoutTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).executor(background).build();
    }

    /** What one site is told: who signed off from which sign-on. */
    public record Notice(Site site, String issuer, String ssoSession, long accountId) {
    }

    /** Runs {@code work} off the caller's thread (the member's request never waits for sites). */
    void inBackground(Runnable work) {
        background.execute(work);
    }

    /** Starts delivering {@code notice} in the background; returns at once. */
    public void deliver(Notice notice) {
        if (notice.site().logoutUrl().isEmpty()) {
            return;
        }
        background.execute(() -> attempt(notice, 1));
    }

    private void attempt(Notice notice, int attempt) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(notice.site().logoutUrl().get())
                    .timeout(config.logoutTimeout())
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("logout_token="
                            + URLEncoder.encode(logoutToken(notice), StandardCharsets.UTF_8)))
                    .build();
        } catch (RuntimeException | JoseException e) {
            Audit.siteSignOffDelivery(notice.site().id(), notice.accountId(), attempt, "failed",
                    "logout token not made: " + e.getClass().getSimpleName());
            return;
        }
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            if (failure == null && response.statusCode() / 100 == 2) {
                Audit.siteSignOffDelivery(notice.site().id(), notice.accountId(), attempt, "delivered", null);
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            String detail = cause != null ? cause.getClass().getSimpleName() : "status " + response.statusCode();
            if (attempt >= config.logoutAttempts()) {
                Audit.siteSignOffDelivery(notice.site().id(), notice.accountId(), attempt, "failed", detail);
                return;
            }
            Audit.siteSignOffDelivery(notice.site().id(), notice.accountId(), attempt, "retrying", detail);
            long pause = config.logoutRetryDelay().toMillis() << (attempt - 1);
            background.schedule(() -> attempt(notice, attempt + 1), pause, TimeUnit.MILLISECONDS);
        });
    }

    /**
     * iss (the gateway), aud (the site id), iat, exp, jti, sid (the ssoSession),
     * sub (the userId) and the back-channel logout event; typ {@code logout+jwt}.
     */
    String logoutToken(Notice notice) throws JoseException {
        long now = time.nowSeconds();
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(notice.issuer());
        claims.setAudience(notice.site().id());
        claims.setIssuedAt(NumericDate.fromSeconds(now));
        claims.setExpirationTime(NumericDate.fromSeconds(now + TOKEN_LIFETIME_SECONDS));
        claims.setJwtId(Secrets.randomId());
        claims.setStringClaim("sid", notice.ssoSession());
        claims.setSubject(String.valueOf(notice.accountId()));
        claims.setClaim("events", Map.of(EVENT, Map.of()));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setHeader("typ", "logout+jwt");
        jws.setKey(new HmacKey(notice.site().key()));
        return jws.getCompactSerialization();
    }

    @PreDestroy
    void stop() {
        background.shutdownNow();
    }
}
