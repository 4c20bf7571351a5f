package org.communitysso.gateway.sites;

import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.communitysso.gateway.Origins;
import org.jboss.logging.Logger;

/**
 * The sites of {@code gateway.sites.*}, validated at start-up: a missing or bad
 * setting stops the gateway with a message naming every bad key, as connectors do.
 */
@Startup
@ApplicationScoped
public class Sites {

    private static final Logger LOG = Logger.getLogger(Sites.class);
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    /** HS256 needs a key at least as long as its output (RFC 7518 3.2); jose4j refuses shorter ones. */
    static final int MIN_SECRET_BYTES = 32;
    private static final Duration MAX_OTT_LIFETIME = Duration.ofMinutes(10);

    private final Map<String, Site> sites;

    @Inject
    public Sites(SitesConfig config, SsoConfig sso) {
        this.sites = build(config.sites(), sso);
        if (!sites.isEmpty()) {
            LOG.infof("sites: %s", String.join(", ", sites.keySet()));
        }
    }

    /** Builds and checks every site; throws naming each bad key. */
    static Map<String, Site> build(Map<String, SitesConfig.Entry> entries, SsoConfig sso) {
        List<String> problems = new ArrayList<>();
        Map<String, Site> built = new LinkedHashMap<>();
        for (Map.Entry<String, SitesConfig.Entry> entry : new TreeMap<>(entries).entrySet()) {
            String id = entry.getKey();
            SitesConfig.Entry site = entry.getValue();
            String key = "gateway.sites." + id + ".";
            if (!ID.matcher(id).matches()) {
                problems.add(key + "origin: site id '" + id.replaceAll("[^\\x21-\\x7e]", "?")
                        + "' must be a lower-case slug (a-z, 0-9, -)");
                continue;
            }
            String origin = null;
            String originValue = site.origin().map(String::trim).orElse("");
            if (originValue.isEmpty()) {
                problems.add(key + "origin: is required");
            } else {
                URI uri = URI.create("x:/");
                try {
                    uri = new URI(originValue);
                } catch (Exception e) {
                    // reported below
                }
                String path = uri.getRawPath() == null ? "" : uri.getRawPath();
                origin = Origins.of(originValue).orElse(null);
                if (origin == null || !(path.isEmpty() || path.equals("/")) || uri.getRawQuery() != null
                        || uri.getRawFragment() != null) {
                    problems.add(key + "origin: must be an http(s) origin (scheme://host[:port], no path)");
                    origin = null;
                }
            }
            String secret = site.secret().orElse("");
            if (secret.isBlank()) {
                problems.add(key + "secret: is required");
            } else if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
                problems.add(key + "secret: must be at least " + MIN_SECRET_BYTES
                        + " bytes (it is the HS256 key of the site's logout tokens)");
            }
            Optional<Site.Mode> mode = site.mode().map(String::trim).flatMap(Site.Mode::of);
            if (site.mode().isEmpty() || site.mode().get().isBlank()) {
                problems.add(key + "mode: is required (auto, opt-in or disabled)");
            } else if (mode.isEmpty()) {
                problems.add(key + "mode: must be auto, opt-in or disabled");
            }
            Optional<URI> logoutUrl = Optional.empty();
            if (site.logoutUrl().isPresent() && !site.logoutUrl().get().isBlank()) {
                String value = site.logoutUrl().get().trim();
                if (Origins.of(value).isEmpty()) {
                    problems.add(key + "logout-url: must be an absolute http(s) URL");
                } else {
                    logoutUrl = Optional.of(URI.create(value));
                }
            }
            String label = site.label().map(String::trim).filter(l -> !l.isEmpty()).orElse(id);
            if (origin != null && !secret.isBlank() && mode.isPresent()) {
                built.put(id, new Site(id, origin, secret, mode.get(), logoutUrl, label));
            }
        }
        if (sso.ottLifetime().isNegative() || sso.ottLifetime().isZero()
                || sso.ottLifetime().compareTo(MAX_OTT_LIFETIME) > 0) {
            problems.add("gateway.sso.ott-lifetime: must be positive and at most " + MAX_OTT_LIFETIME.toMinutes()
                    + " minutes");
        }
        if (sso.logoutTimeout().isNegative() || sso.logoutTimeout().isZero()) {
            problems.add("gateway.sso.logout-timeout: must be positive");
        }
        if (sso.logoutAttempts() < 1 || sso.logoutAttempts() > 10) {
            problems.add("gateway.sso.logout-attempts: must be between 1 and 10");
        }
        if (sso.logoutRetryDelay().isNegative()) {
            problems.add("gateway.sso.logout-retry-delay: must not be negative");
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException("Invalid site configuration:\n  - " + String.join("\n  - ", problems));
        }
        return Map.copyOf(built);
    }

    public Optional<Site> find(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(sites.get(id));
    }

    /** Origins of every site, for telling a site's own request from a foreign one. */
    public boolean isSiteOrigin(String url) {
        Optional<String> origin = url == null ? Optional.empty() : Origins.of(url);
        return origin.isPresent() && sites.values().stream().anyMatch(s -> s.origin().equals(origin.get()));
    }

    /**
     * The site an {@code Authorization: Basic <site>:<secret>} header proves, or
     * empty. Secrets are compared in constant time (as SHA-256 digests, so their
     * lengths do not show either), also for an unknown site id.
     */
    public Optional<Site> authenticate(String authorization) {
        if (authorization == null || authorization.length() > 1024
                || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        Optional<Site> site = find(decoded.substring(0, colon));
        byte[] expected = digest(site.map(Site::secret).orElse("\0no site"));
        boolean match = MessageDigest.isEqual(expected, digest(decoded.substring(colon + 1)));
        return match ? site : Optional.empty();
    }

    private static byte[] digest(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
