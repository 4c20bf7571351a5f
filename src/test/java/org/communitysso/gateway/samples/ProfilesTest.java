package org.communitysso.gateway.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.config.GatewayConfig;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorFactory;
import org.communitysso.gateway.connector.ConnectorRegistry;
import org.communitysso.gateway.connector.facebook.FacebookConnectorFactory;
import org.communitysso.gateway.connector.jwt.JwtConnectorFactory;
import org.communitysso.gateway.connector.oauth2.OAuth2ConnectorFactory;
import org.communitysso.gateway.connector.oidc.OidcConnectorFactory;
import org.communitysso.gateway.connector.saml.SamlConnectorFactory;
import org.communitysso.gateway.testing.InMemoryReplayGuard;
import org.communitysso.gateway.web.Routes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The configuration each deployed profile gets from {@code application.properties}
 * (plus the environment and a deployment's {@code config/application.properties}),
 * built as SmallRye builds it for that profile, without starting a second application.
 */
class ProfilesTest {

    private static final Path APPLICATION = Path.of("src", "main", "resources", "application.properties");

    /** The deployment's own file, as docs/configuration.md shows it (one block per environment). */
    private static final Map<String, String> DEPLOYMENT = Map.of(
            "%acceptance.gateway.connectors.acme.type", "jwt",
            "%acceptance.gateway.connectors.acme.sign-on-url", "https://login.acc.acme.example/sso",
            "%acceptance.gateway.connectors.acme.jwt.shared-secret", "${ACME_JWT_SECRET}",
            "%prod.gateway.connectors.acme.type", "jwt",
            "%prod.gateway.connectors.acme.sign-on-url", "https://login.acme.example/sso",
            "%prod.gateway.connectors.acme.jwt.shared-secret", "${ACME_JWT_SECRET}");

    private static final Map<String, String> ENVIRONMENT = Map.of(
            "GATEWAY_DB_URL", "jdbc:mysql://db.internal:3306/sso_gateway",
            "GATEWAY_DB_USER", "sso",
            "GATEWAY_DB_PASSWORD", "db-password",
            "GATEWAY_STATE_SECRET", "state-secret-from-the-environment-0123456789",
            "ACME_JWT_SECRET", "acme-shared-secret-0123456789abcdef0123456789");

    static SmallRyeConfig config(String profile, Map<String, String> deployment, Map<String, String> environment,
            List<ConnectorFactory> factories) throws IOException {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withProfile(profile)
                .withMapping(GatewayConfig.class)
                .withMapping(org.communitysso.gateway.admin.AdminConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(APPLICATION.toUri().toURL(), 250))
                .withSources(new PropertiesConfigSource(deployment, "config/application.properties", 260))
                .withSources(new EnvConfigSource(environment, 300));
        factories.stream().map(ConnectorFactory::configMapping).distinct().forEach(builder::withMapping);
        return builder.build();
    }

    static List<ConnectorFactory> factories() {
        InMemoryReplayGuard replay = new InMemoryReplayGuard();
        TimeSource time = new TimeSource();
        return List.of(new JwtConnectorFactory(replay, time), new OidcConnectorFactory(replay, time, null),
                new OAuth2ConnectorFactory(), new FacebookConnectorFactory(), new SamlConnectorFactory(replay, time));
    }

    @ParameterizedTest
    @ValueSource(strings = {"prod", "acceptance"})
    void deployedProfileIsCompleteAndTakesItsSecretsFromTheEnvironment(String profile) throws IOException {
        List<ConnectorFactory> factories = factories();
        SmallRyeConfig config = config(profile, DEPLOYMENT, ENVIRONMENT, factories);

        GatewayConfig gateway = config.getConfigMapping(GatewayConfig.class);
        assertTrue(gateway.session().cookieSecure(), "Secure cookies outside dev and test");
        assertEquals(Duration.ofHours(48), gateway.session().inactivityTimeout());
        assertEquals("/", gateway.landingUrl());
        assertEquals("state-secret-from-the-environment-0123456789", gateway.stateSecret().orElseThrow());
        assertTrue(gateway.allowedReturnOrigins().isEmpty(), "the test profile's origins do not leak");
        assertFalse(config.getConfigMapping(org.communitysso.gateway.admin.AdminConfig.class).enabled(),
                "the admin API is off unless configured");
        assertFalse(config.getValue("quarkus.oidc.tenant-enabled", Boolean.class),
                "and Quarkus OIDC contacts no operators' IdP");
        assertFalse(config.getValue("quarkus.http.auth.proactive", Boolean.class),
                "credentials are checked on the admin API only");

        assertEquals("mysql", config.getRawValue("quarkus.datasource.db-kind"));
        assertEquals("jdbc:mysql://db.internal:3306/sso_gateway", config.getValue("quarkus.datasource.jdbc.url",
                String.class));
        assertEquals("sso", config.getValue("quarkus.datasource.username", String.class));
        assertEquals("db-password", config.getValue("quarkus.datasource.password", String.class));
        assertFalse(config.getOptionalValue("quarkus.flyway.clean-at-start", Boolean.class).orElse(false),
                "the test profile's schema wipe does not leak");

        Map<String, Connector> connectors = ConnectorRegistry.build(config, factories, new Routes());
        assertEquals(List.of("acme"), List.copyOf(connectors.keySet()), "the dev demo connector does not leak");
        assertEquals(profile.equals("prod") ? "https://login.acme.example/sso"
                : "https://login.acc.acme.example/sso", config.getValue("gateway.connectors.acme.sign-on-url",
                String.class));
    }

    @ParameterizedTest
    @ValueSource(strings = {"prod", "acceptance"})
    void withoutTheEnvironmentTheDatabaseDefaultsApplyAndAMissingSecretStopsStartUp(String profile)
            throws IOException {
        SmallRyeConfig config = config(profile, Map.of(), Map.of(), factories());
        assertEquals("jdbc:mysql://127.0.0.1:3306/sso_gateway", config.getValue("quarkus.datasource.jdbc.url",
                String.class));
        assertEquals("gateway", config.getValue("quarkus.datasource.username", String.class));
        assertTrue(ConnectorRegistry.build(config, factories(), new Routes()).isEmpty(), "no connector of its own");

        Map<String, String> environment = new HashMap<>(ENVIRONMENT);
        environment.remove("ACME_JWT_SECRET");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> ConnectorRegistry.build(
                config(profile, DEPLOYMENT, environment, factories()), factories(), new Routes()));
        assertTrue(e.getMessage().contains("gateway.connectors.acme."), e.getMessage());
    }
}
