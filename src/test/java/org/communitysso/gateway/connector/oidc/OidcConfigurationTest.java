package org.communitysso.gateway.connector.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.configuration.ConfigurationException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.testing.ConnectorConfigs;
import org.junit.jupiter.api.Test;

/** An OIDC connector with a missing or invalid setting stops start-up with a message naming the key. */
class OidcConfigurationTest {

    private static final String PREFIX = "gateway.connectors.corp.";

    @Test
    void discoveryConnectorNeedsOnlyIssuerAndClient() {
        Map<String, Connector> built = build(discovery());
        assertEquals("oidc", built.get("corp").settings().type());
    }

    @Test
    void explicitConnectorBuilds() {
        Map<String, String> config = discovery();
        config.put(PREFIX + "authorization-url", "https://login.corp.test/authorize");
        config.put(PREFIX + "token-url", "https://login.corp.test/token");
        config.put(PREFIX + "jwks-url", "https://login.corp.test/keys");
        assertEquals("oidc", build(config).get("corp").settings().type());
    }

    @Test
    void missingIssuerNamesTheKey() {
        Map<String, String> config = discovery();
        config.remove(PREFIX + "issuer");
        assertFailsNaming(config, PREFIX + "issuer");
    }

    @Test
    void missingClientIdNamesTheKey() {
        Map<String, String> config = discovery();
        config.remove(PREFIX + "client-id");
        assertFailsNaming(config, PREFIX + "client-id");
    }

    @Test
    void explicitEndpointsNeedTheTokenUrl() {
        Map<String, String> config = discovery();
        config.put(PREFIX + "authorization-url", "https://login.corp.test/authorize");
        assertFailsNaming(config, PREFIX + "token-url");
    }

    @Test
    void explicitEndpointsWithAnHttpsTokenUrlNeedNoJwksUrl() {
        // the seed's seven parameters: keys from discovery, else TLS to the token endpoint (OidcConnectorTest)
        Map<String, String> config = discovery();
        config.put(PREFIX + "authorization-url", "https://login.corp.test/authorize");
        config.put(PREFIX + "token-url", "https://login.corp.test/token");
        config.put(PREFIX + "user-info-url", "https://login.corp.test/userinfo");
        config.put(PREFIX + "scope", "openid email profile");
        assertEquals("oidc", build(config).get("corp").settings().type());
    }

    @Test
    void scopeWithoutOpenidIsRefused() {
        Map<String, String> config = discovery();
        config.put(PREFIX + "scope", "email profile");
        assertFailsNaming(config, PREFIX + "scope");
    }

    @Test
    void algorithmNoneOrAnUnknownOneIsRefused() {
        Map<String, String> config = discovery();
        config.put(PREFIX + "oidc.algorithms", "RS256,none");
        assertFailsNaming(config, PREFIX + "oidc.algorithms");
        config.put(PREFIX + "oidc.algorithms", "HS1");
        assertFailsNaming(config, PREFIX + "oidc.algorithms");
    }

    @Test
    void hmacNeedsAClientSecretAsLongAsTheHash() {
        Map<String, String> config = discovery();
        config.put(PREFIX + "oidc.algorithms", "HS256");
        assertFailsNaming(config, PREFIX + "client-secret"); // "s3cret": 6 bytes
        config.put(PREFIX + "client-secret", "x".repeat(32));
        assertEquals("oidc", build(config).get("corp").settings().type());
        config.put(PREFIX + "oidc.algorithms", "RS256,HS384");
        assertFailsNaming(config, PREFIX + "client-secret");
        config.put(PREFIX + "client-secret", "x".repeat(48));
        assertEquals("oidc", build(config).get("corp").settings().type());
        config.put(PREFIX + "oidc.algorithms", "HS512");
        assertFailsNaming(config, PREFIX + "client-secret");
        config.remove(PREFIX + "client-secret");
        assertFailsNaming(config, PREFIX + "client-secret");
    }

    @Test
    void nonHttpUrlsAndZeroTimeoutsAreRefused() {
        Map<String, String> config = discovery();
        config.put(PREFIX + "end-session-url", "javascript:alert(1)");
        config.put(PREFIX + "read-timeout", "0S");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> build(config));
        assertTrue(e.getMessage().contains(PREFIX + "end-session-url")
                && e.getMessage().contains(PREFIX + "read-timeout"), e.getMessage());
    }

    @Test
    void discoveryUrlFollowsTheIssuer() {
        assertEquals("https://idp.test/realms/x/.well-known/openid-configuration",
                OidcConnectorFactory.discoveryUrl("https://idp.test/realms/x/").toString());
    }

    private static void assertFailsNaming(Map<String, String> config, String key) {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> build(config));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    private static Map<String, Connector> build(Map<String, String> properties) {
        // nothing is fetched while building: discovery, keys and the token client are made on first use
        return ConnectorConfigs.build(properties, List.of(new OidcConnectorFactory(null, new TimeSource(), null)));
    }

    private static Map<String, String> discovery() {
        Map<String, String> config = new HashMap<>();
        config.put(PREFIX + "type", "oidc");
        config.put(PREFIX + "issuer", "https://login.corp.test");
        config.put(PREFIX + "client-id", "community");
        config.put(PREFIX + "client-secret", "s3cret");
        return config;
    }
}
