package org.communitysso.gateway.sites;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.communitysso.gateway.Origins;

/** One configured site: its id, the origin its return_urls must be on, credential, mode and sign-off URL. */
public record Site(String id, String origin, String secret, Mode mode, Optional<URI> logoutUrl, String label) {

    public enum Mode {
        AUTO("auto"), OPT_IN("opt-in"), DISABLED("disabled");

        private final String value;

        Mode(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }

        static Optional<Mode> of(String value) {
            for (Mode mode : values()) {
                if (mode.value.equals(value)) {
                    return Optional.of(mode);
                }
            }
            return Optional.empty();
        }
    }

    /** return_urls longer than this are refused: the gateway keeps them in a sign-on target of at most 2 KB. */
    static final int MAX_RETURN_URL = 1024;

    /** The secret as the HS256 key of this site's logout tokens. */
    byte[] key() {
        return secret.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Whether {@code url} may receive this site's one-time token: an absolute
     * http(s) URL on the site's origin, printable ASCII, no user info, and no
     * {@code ott} or {@code error} parameter of its own (the gateway adds them).
     */
    public boolean accepts(String url) {
        if (url == null || url.isEmpty() || url.length() > MAX_RETURN_URL || url.contains("\\")) {
            return false;
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        try {
            URI uri = new URI(url);
            if (uri.getRawUserInfo() != null || !origin.equals(Origins.of(url).orElse(null))) {
                return false;
            }
            String query = uri.getRawQuery();
            if (query != null) {
                for (String pair : query.split("&")) {
                    String name = pair.split("=", 2)[0];
                    if (name.equals("ott") || name.equals("error")) {
                        return false;
                    }
                }
            }
            return true;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
