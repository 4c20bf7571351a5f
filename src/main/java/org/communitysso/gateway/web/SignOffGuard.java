package org.communitysso.gateway.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.UriInfo;
import java.util.Locale;
import java.util.Optional;
import org.communitysso.gateway.Origins;
import org.communitysso.gateway.Secrets;

/**
 * Keeps a foreign site from signing a member out (a link or image pointing at
 * {@code /auth/logout}): tells cross-site requests from the community's own,
 * and makes and checks the token of the "Sign out?" form.
 */
@ApplicationScoped
public class SignOffGuard {

    private static final String PURPOSE = "sign-off";

    private final SignOnStates states;
    private final ReturnUrlPolicy returnUrls;
    private final GatewayUrls urls;

    @Inject
    public SignOffGuard(SignOnStates states, ReturnUrlPolicy returnUrls, GatewayUrls urls) {
        this.states = states;
        this.returnUrls = returnUrls;
        this.urls = urls;
    }

    /**
     * The header that shows the request came from another site, or empty when
     * it came from the gateway, an allowed community origin, or says nothing
     * (old browsers, curl: they keep signing off at once).
     */
    public Optional<String> crossSiteSignal(HttpHeaders headers, UriInfo uriInfo) {
        String fetchSite = headers.getHeaderString("Sec-Fetch-Site");
        fetchSite = fetchSite == null ? "" : fetchSite.trim().toLowerCase(Locale.ROOT);
        if (fetchSite.equals("cross-site")) {
            return Optional.of("sec-fetch-site");
        }
        // Set by the browser itself: a page of the gateway's own origin (whatever Origin it sends; pages
        // with no-referrer POST "Origin: null"), or typed in. "same-site" may be any sibling host:
        // Origin and Referer decide.
        if (fetchSite.equals("same-origin") || fetchSite.equals("none")) {
            return Optional.empty();
        }
        String origin = headers.getHeaderString("Origin");
        if (origin != null && !trusted(origin, uriInfo)) {
            return Optional.of("origin");
        }
        String referer = headers.getHeaderString("Referer");
        if (referer != null && !trusted(referer, uriInfo)) {
            return Optional.of("referer");
        }
        return Optional.empty();
    }

    private boolean trusted(String url, UriInfo uriInfo) {
        Optional<String> own = Origins.of(urls.base(uriInfo));
        return returnUrls.allowedOrigin(url) || (own.isPresent() && own.equals(Origins.of(url)));
    }

    /** The form token for the session behind this cookie: only that session's cookie makes it. */
    public String token(String sessionCookie) {
        return states.sign(PURPOSE, Secrets.sha256Hex(sessionCookie));
    }

    public boolean validToken(String given, String sessionCookie) {
        return sessionCookie != null && Secrets.constantTimeEquals(token(sessionCookie), given);
    }
}
