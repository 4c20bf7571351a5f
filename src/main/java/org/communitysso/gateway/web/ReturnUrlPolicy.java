package org.communitysso.gateway.web;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.communitysso.gateway.Origins;
import org.communitysso.gateway.audit.Audit;
import org.communitysso.gateway.config.GatewayConfig;

/**
 * Which return_urls the gateway redirects to (SPEC 6): a path on this site,
 * or an absolute http(s) URL whose origin is on the allow-list. Anything
 * else falls back to the landing page.
 */
@Startup // a bad allow-list stops start-up instead of failing the first request
@ApplicationScoped
public class ReturnUrlPolicy {

    static final int MAX_LENGTH = 2048;

    private final Set<String> allowedOrigins;
    private final String landingUrl;

    @Inject
    public ReturnUrlPolicy(GatewayConfig config) {
        this(config.allowedReturnOrigins().orElse(List.of()), config.landingUrl());
    }

    ReturnUrlPolicy(List<String> allowedOrigins, String landingUrl) {
        this.allowedOrigins = allowedOrigins.stream().map(String::trim).filter(s -> !s.isEmpty())
                .map(o -> Origins.of(o).orElseThrow(() -> new IllegalArgumentException(
                        "gateway.allowed-return-origins: '" + o + "' is not an http(s) origin")))
                .collect(Collectors.toUnmodifiableSet());
        this.landingUrl = landingUrl;
    }

    public String landingUrl() {
        return landingUrl;
    }

    /** The target to use: {@code raw} when allowed, else the landing page. */
    public String targetOrLanding(String raw) {
        Optional<String> target = check(raw);
        if (target.isEmpty() && raw != null && !raw.isEmpty()) {
            Audit.returnUrlRefused();
        }
        return target.orElse(landingUrl);
    }

    /** Whether {@code url} (an Origin or Referer value) belongs to an origin on the allow-list. */
    public boolean allowedOrigin(String url) {
        return url != null && Origins.of(url).filter(allowedOrigins::contains).isPresent();
    }

    /** {@code raw} itself when it is a safe target, else empty. */
    public Optional<String> check(String raw) {
        if (raw == null || raw.isEmpty() || raw.length() > MAX_LENGTH || !plainAscii(raw)) {
            return Optional.empty();
        }
        // Browsers treat '\' like '/', and decode some escapes before resolving: check both forms.
        String decoded = decodeRepeatedly(raw);
        if (decoded == null || hasControl(decoded) || raw.contains("\\") || decoded.contains("\\")) {
            return Optional.empty();
        }
        if (raw.startsWith("/")) {
            return relativePathAllowed(raw) && !decoded.startsWith("//") ? Optional.of(raw) : Optional.empty();
        }
        try {
            URI uri = new URI(raw);
            if (uri.getRawAuthority() == null || uri.getRawAuthority().contains("@") || uri.getRawUserInfo() != null) {
                return Optional.empty();
            }
            return Origins.of(raw).filter(allowedOrigins::contains).map(o -> raw);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static boolean relativePathAllowed(String path) {
        if (!path.startsWith("/") || path.startsWith("//")) {
            return false;
        }
        try {
            URI uri = new URI(path);
            return uri.getScheme() == null && uri.getRawAuthority() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** Printable ASCII only: no whitespace, control characters or look-alike Unicode. */
    private static boolean plainAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasControl(String value) {
        return value.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
    }

    /** Undoes percent-encoding until stable (double-encoding tricks); null when malformed. */
    private static String decodeRepeatedly(String value) {
        String current = value;
        for (int i = 0; i < 5; i++) {
            String next;
            try {
                next = URLDecoder.decode(current.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
            if (next.equals(current)) {
                return current;
            }
            current = next;
        }
        return null;
    }
}
