package org.communitysso.gateway.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.communitysso.gateway.sites.Site;
import org.communitysso.gateway.sites.Sites;

/**
 * Where a sign-on started by {@code /sso/authorize} comes back to: the
 * authorize request again, with a {@code resume} value that only this browser's
 * {@code community_sso_resume} cookie makes valid (so a site cannot skip the
 * opt-in page by adding it). A sign-on for a {@code disabled} site is bound to
 * that site: it opens a session of its own, held in {@code community_sso_<site>},
 * and leaves the browser's gateway session as it was.
 */
@ApplicationScoped
public class SsoTargets {

    static final String AUTHORIZE = "/sso/authorize";
    private static final String PURPOSE = "sso-resume";

    private final SignOnStates states;
    private final Sites sites;

    @Inject
    public SsoTargets(SignOnStates states, Sites sites) {
        this.states = states;
        this.sites = sites;
    }

    /** The target of a sign-on started for this authorize request, the browser holding {@code nonce}. */
    String resumeTarget(Site site, String returnUrl, String nonce) {
        return AUTHORIZE + "?site=" + site.id() + "&return_url=" + URLEncoder.encode(returnUrl, StandardCharsets.UTF_8)
                + "&resume=" + resumeValue(nonce, site, returnUrl);
    }

    boolean validResume(String resume, String nonce, Site site, String returnUrl) {
        return resume != null && nonce != null && nonce.length() <= 64
                && org.communitysso.gateway.Secrets.constantTimeEquals(resumeValue(nonce, site, returnUrl), resume);
    }

    private String resumeValue(String nonce, Site site, String returnUrl) {
        return states.sign(PURPOSE, nonce + ":" + site.id() + ":" + returnUrl);
    }

    /** The disabled site a sign-on with this target is for, if it is one (its session is then bound to it). */
    public Optional<Site> boundSite(String target) {
        if (target == null || !target.startsWith(AUTHORIZE + "?")) {
            return Optional.empty();
        }
        String query = URI.create(target).getRawQuery();
        for (String pair : query == null ? new String[0] : query.split("&")) {
            String[] nameValue = pair.split("=", 2);
            if (nameValue[0].equals("site") && nameValue.length == 2) {
                return sites.find(URLDecoder.decode(nameValue[1], StandardCharsets.UTF_8))
                        .filter(s -> s.mode() == Site.Mode.DISABLED);
            }
        }
        return Optional.empty();
    }

    /** The cookie holding the session of a disabled site's own sign-on. */
    static String boundCookie(Site site) {
        return "community_sso_" + site.id().replace('-', '_');
    }
}
