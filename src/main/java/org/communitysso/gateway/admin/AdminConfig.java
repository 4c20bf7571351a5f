package org.communitysso.gateway.admin;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code gateway.admin.*} (SPEC 10). Bearer tokens are verified by Quarkus OIDC, whose
 * {@code quarkus.oidc.*} keys application.properties maps from these.
 */
@ConfigMapping(prefix = "gateway.admin")
public interface AdminConfig {

    @WithDefault("false")
    boolean enabled();

    /** The operators' IdP (OIDC discovery); bearer tokens must come from it. */
    Optional<String> issuer();

    Optional<String> audience();

    /** Path to a string array in the access token, segments separated by {@code /}. */
    @WithDefault("realm_access/roles")
    String rolesClaim();

    @WithDefault("gateway-admin")
    String role();

    /** SHA-256 (hex) of each static API key ({@code Authorization: ApiKey <key>}). */
    Optional<List<String>> apiKeyHashes();

    /** How long audit events stay in the database. */
    @WithDefault("90D")
    Duration auditRetention();

    /** How often queued audit events are written (audit/AuditTrail's schedule reads this key). */
    @WithDefault("1s")
    Duration auditFlushInterval();

    /** How long a connector test link ({@code POST /admin/api/connectors/{id}/test}) may be used. */
    @WithDefault("5M")
    Duration testLinkLifetime();
}
