package org.communitysso.gateway.connector.saml;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** What a SAML LogoutRequest must name, kept with the session as its opaque sign-off handle. */
record SignOffHandle(String nameId, String format, String nameQualifier, String spNameQualifier, String sessionIndex) {

    String encode() {
        StringBuilder out = new StringBuilder();
        append(out, "n", nameId);
        append(out, "f", format);
        append(out, "q", nameQualifier);
        append(out, "s", spNameQualifier);
        append(out, "i", sessionIndex);
        return out.toString();
    }

    static SignOffHandle decode(String encoded) {
        if (encoded == null || encoded.isEmpty()) {
            return null;
        }
        Map<String, String> values = new HashMap<>();
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String nameId = values.get("n");
        return nameId == null ? null
                : new SignOffHandle(nameId, values.get("f"), values.get("q"), values.get("s"), values.get("i"));
    }

    private static void append(StringBuilder out, String key, String value) {
        if (value != null) {
            out.append(out.length() == 0 ? "" : "&").append(key).append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
