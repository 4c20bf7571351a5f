package org.communitysso.gateway.admin;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.credential.Credential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.communitysso.gateway.Secrets;

/**
 * {@code Authorization: ApiKey <key>}: the break-glass and scripting credential
 * of the admin API, checked against {@code gateway.admin.api-key-hashes} (SHA-256
 * hex; the keys themselves are never configured). A key holds the admin role; the
 * operator it names in audit lines is {@code api-key:} and the first 12 hex digits
 * of its hash. Any other scheme is left to Quarkus OIDC (bearer tokens).
 */
@ApplicationScoped
public class ApiKeyMechanism implements HttpAuthenticationMechanism {

    static final String SCHEME = "ApiKey";
    private static final int MAX_KEY_LENGTH = 512;

    @Inject
    AdminConfig config;

    /** A key configured in place of its hash would never match: say so at start-up. */
    void checkHashes(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent start) {
        for (String hash : config.apiKeyHashes().orElse(List.of())) {
            if (!hash.trim().matches("[0-9a-fA-F]{64}")) {
                throw new io.quarkus.runtime.configuration.ConfigurationException(
                        "gateway.admin.api-key-hashes: each entry must be the SHA-256 of a key, 64 hex digits "
                                + "(printf %s \"$KEY\" | sha256sum), never the key itself");
            }
        }
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String header = context.request().getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, SCHEME + " ", 0, SCHEME.length() + 1)) {
            return Uni.createFrom().optional(java.util.Optional.empty());
        }
        if (!config.enabled()) {
            return Uni.createFrom().failure(new AuthenticationFailedException("admin API disabled"));
        }
        String key = header.substring(SCHEME.length() + 1).trim();
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            return Uni.createFrom().failure(new AuthenticationFailedException("malformed API key"));
        }
        String hash = Secrets.sha256Hex(key);
        List<String> known = config.apiKeyHashes().orElse(List.of());
        boolean match = false;
        for (String candidate : known) {
            // every hash compared, in constant time: the timing tells nothing about which one matched
            match |= Secrets.constantTimeEquals(hash, candidate.trim().toLowerCase(Locale.ROOT));
        }
        if (!match) {
            return Uni.createFrom().failure(new AuthenticationFailedException("unknown API key"));
        }
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal("api-key:" + hash.substring(0, 12)))
                .addRole(config.role())
                .addCredential(new ApiKeyCredential())
                .build());
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer, " + SCHEME));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of();
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, SCHEME));
    }

    /** Marks an identity that came from an API key. */
    static final class ApiKeyCredential implements Credential {
    }
}
