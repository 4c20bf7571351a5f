package org.communitysso.gateway;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/** Web origins compared as one canonical string (return_url policy, sites). */
public final class Origins {

    private Origins() {
    }

    /** "scheme://host:port" with default ports made explicit, or empty when not an http(s) origin. */
    public static Optional<String> of(String url) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            String host = uri.getHost();
            if (!(scheme.equals("http") || scheme.equals("https")) || host == null || uri.getRawUserInfo() != null) {
                return Optional.empty();
            }
            int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
            return Optional.of(scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }
}
