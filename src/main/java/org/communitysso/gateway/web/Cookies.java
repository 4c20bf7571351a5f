package org.communitysso.gateway.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.NewCookie;
import java.time.Duration;
import java.util.Optional;
import org.communitysso.gateway.config.GatewayConfig;

/** The gateway's cookies: all HttpOnly, Secure outside local development. */
@ApplicationScoped
public class Cookies {

    public static final String SESSION = "community_session";
    public static final String SIGN_ON = "community_sign_on";
    public static final String PENDING = "community_pending";
    /** A pending link of a further sign-in method (web/PendingLinks). */
    public static final String LINK = "community_link";
    /** Browsers cap cookie lifetimes at 400 days; the server decides when a session ends. */
    private static final Duration SESSION_COOKIE_LIFETIME = Duration.ofDays(400);

    private final boolean secure;
    private final GatewayConfig config;

    @Inject
    public Cookies(GatewayConfig config) {
        this.config = config;
        this.secure = config.session().cookieSecure();
    }

    /** {@code absoluteLifetime}: the connector's own, if it sets one; else the global one. */
    public NewCookie session(String value, Optional<Duration> absoluteLifetime) {
        Duration lifetime = absoluteLifetime.or(config.session()::absoluteLifetime).orElse(SESSION_COOKIE_LIFETIME);
        return build(SESSION, value, "/", (int) lifetime.toSeconds(), NewCookie.SameSite.LAX);
    }

    /**
     * The sign-on state must come back with the IdP's answer, which may be a
     * cross-site POST: SameSite=None where the cookie can be Secure, else Lax.
     */
    public NewCookie signOn(String value) {
        return build(SIGN_ON, value, "/auth", (int) config.signOnTimeout().toSeconds(),
                secure ? NewCookie.SameSite.NONE : NewCookie.SameSite.LAX);
    }

    /** Comes back with the IdP's answer like the sign-on state, so the same SameSite rule. */
    public NewCookie link(String value) {
        return build(LINK, value, "/auth", (int) config.signOnTimeout().toSeconds(),
                secure ? NewCookie.SameSite.NONE : NewCookie.SameSite.LAX);
    }

    public NewCookie pending(String value) {
        return build(PENDING, value, "/auth", (int) config.accounts().pendingLifetime().toSeconds(), NewCookie.SameSite.LAX);
    }

    /** A cookie only {@code /sso} reads (site sign-ons); {@code maxAge} 0 clears it. */
    public NewCookie sso(String name, String value, int maxAge) {
        return build(name, value, "/sso", maxAge, NewCookie.SameSite.LAX);
    }

    /** The lifetime of a session cookie: the connector's absolute lifetime, else the global one, else 400 days. */
    public int sessionMaxAge(Optional<Duration> absoluteLifetime) {
        return (int) absoluteLifetime.or(config.session()::absoluteLifetime).orElse(SESSION_COOKIE_LIFETIME).toSeconds();
    }

    public NewCookie clear(String name) {
        String path = name.equals(SESSION) ? "/" : "/auth";
        return build(name, "", path, 0, NewCookie.SameSite.LAX);
    }

    private NewCookie build(String name, String value, String path, int maxAge, NewCookie.SameSite sameSite) {
        return new NewCookie.Builder(name).value(value).path(path).maxAge(maxAge).httpOnly(true).secure(secure)
                .sameSite(sameSite).build();
    }
}
