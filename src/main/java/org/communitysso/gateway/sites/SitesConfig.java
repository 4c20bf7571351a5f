package org.communitysso.gateway.sites;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithParentName;
import java.util.Map;
import java.util.Optional;

/**
 * {@code gateway.sites.<site>.*}: the community's other sites that use the
 * gateway as their auth domain (SPEC 7). Every value is optional here so that
 * {@link Sites} can report all problems at once, each naming its key.
 */
@ConfigMapping(prefix = "gateway.sites")
public interface SitesConfig {

    @WithParentName
    Map<String, Entry> sites();

    interface Entry {
        /** {@code https://shop.example.com}: return_urls of this site must be on it. */
        Optional<String> origin();

        /** The site's credential at {@code /sso/token}, and the HS256 key of its logout tokens. */
        Optional<String> secret();

        /** {@code auto}, {@code opt-in} or {@code disabled}. */
        Optional<String> mode();

        /** Where the gateway POSTs the back-channel logout token; optional. */
        Optional<String> logoutUrl();

        /** Shown on the opt-in page; the site id when absent. */
        Optional<String> label();
    }
}
