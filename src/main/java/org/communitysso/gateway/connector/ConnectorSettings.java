package org.communitysso.gateway.connector;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The settings every connector has, validated. */
public record ConnectorSettings(
        String id,
        String type,
        String label,
        Optional<String> icon,
        boolean enabled,
        boolean testing,
        boolean trustEmail,
        Optional<URI> signOffUrl,
        /* the configured return-url (absolute); empty: the connector's own return URL at the gateway's base */
        Optional<URI> returnUrl,
        Optional<Duration> inactivityTimeout,
        Optional<Duration> absoluteLifetime,
        Map<String, String> mapping,
        Map<String, List<String>> roleMapping) {
}
