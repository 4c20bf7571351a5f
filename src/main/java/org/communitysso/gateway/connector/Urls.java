package org.communitysso.gateway.connector;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Building the URLs sent to IdPs. */
public final class Urls {

    private Urls() {
    }

    /** {@code base} with {@code name=value} added to its query, the value URL-encoded. */
    public static URI withParameter(URI base, String name, String value) {
        String url = base.toString();
        int fragment = url.indexOf('#');
        String suffix = "";
        if (fragment >= 0) {
            suffix = url.substring(fragment);
            url = url.substring(0, fragment);
        }
        char separator = url.contains("?") ? (url.endsWith("?") || url.endsWith("&") ? '\0' : '&') : '?';
        String joined = url + (separator == '\0' ? "" : String.valueOf(separator))
                + URLEncoder.encode(name, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
        return URI.create(joined + suffix);
    }
}
