package org.communitysso.gateway.connector;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Collects what is wrong with the connector configuration, each naming its full key. */
public final class ConfigProblems {

    private final List<String> problems = new ArrayList<>();

    public static String key(String connectorId, String suffix) {
        return "gateway.connectors." + connectorId + "." + suffix;
    }

    public void add(String connectorId, String suffix, String problem) {
        problems.add(key(connectorId, suffix) + ": " + problem);
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    public List<String> all() {
        return List.copyOf(problems);
    }

    /** A non-blank value, trimmed, or null with a reported problem. */
    public String required(String connectorId, String suffix, Optional<String> value) {
        if (value.isEmpty() || value.get().isBlank()) {
            add(connectorId, suffix, "is required");
            return null;
        }
        return value.get().trim();
    }

    /**
     * An absolute http(s) URL, or a path on the gateway's own host ({@code /idp/sign-on}:
     * an IdP served behind the same host name, as the dev demo's), or a reported problem.
     * The browser follows a path against whatever host it reached the gateway by.
     */
    public Optional<URI> httpUrlOrPath(String connectorId, String suffix, Optional<String> value, boolean required) {
        String text = value.map(String::trim).orElse("");
        if (text.startsWith("/") && !text.startsWith("//") && !text.contains("\\")) {
            try {
                URI uri = new URI(text);
                if (uri.getScheme() == null && uri.getRawAuthority() == null) {
                    return Optional.of(uri);
                }
            } catch (Exception e) {
                // reported below
            }
            add(connectorId, suffix, "is not a valid URL or path");
            return Optional.empty();
        }
        return httpUrl(connectorId, suffix, value, required);
    }

    /** An absolute http(s) URL, or a reported problem. */
    public Optional<URI> httpUrl(String connectorId, String suffix, Optional<String> value, boolean required) {
        if (value.isEmpty() || value.get().isBlank()) {
            if (required) {
                add(connectorId, suffix, "is required");
            }
            return Optional.empty();
        }
        try {
            URI uri = new URI(value.get().trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
            if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
                add(connectorId, suffix, "must be an absolute http(s) URL");
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (Exception e) {
            add(connectorId, suffix, "is not a valid URL");
            return Optional.empty();
        }
    }
}
