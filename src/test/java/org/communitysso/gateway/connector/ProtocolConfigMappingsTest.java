package org.communitysso.gateway.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.connector.facebook.FacebookConnectorFactory;
import org.communitysso.gateway.connector.jwt.JwtConnectorFactory;
import org.communitysso.gateway.connector.oauth2.OAuth2ConnectorFactory;
import org.communitysso.gateway.connector.oidc.OidcConnectorFactory;
import org.communitysso.gateway.connector.saml.SamlConnectorFactory;
import org.communitysso.gateway.testing.ConnectorConfigs;
import org.junit.jupiter.api.Test;

/**
 * Each protocol maps its own keys in its own package; together with the common
 * keys they still map every key, and nothing configured goes unnoticed.
 */
class ProtocolConfigMappingsTest {

    private static final List<ConnectorFactory> ALL = List.of(new JwtConnectorFactory(null, null),
            new OidcConnectorFactory(null, new TimeSource(), null), new OAuth2ConnectorFactory(),
            new FacebookConnectorFactory(), new SamlConnectorFactory(null, null));

    @Test
    void anotherProtocolsKeysAreStillAccepted() {
        Map<String, String> config = facebook();
        // read by oidc and oauth2 connectors only, accepted (and ignored) on any connector as before
        config.put("gateway.connectors.fb.issuer", "https://idp.test");
        config.put("gateway.connectors.fb.oidc.clock-skew", "10S");
        config.put("gateway.connectors.fb.jwt.allow-unsolicited", "false");
        assertEquals("facebook", ConnectorConfigs.build(config, ALL).get("fb").settings().type());
    }

    @Test
    void aKeyNoProtocolKnowsStopsStartUp() {
        Map<String, String> config = facebook();
        config.put("gateway.connectors.fb.client-name", "x");
        RuntimeException e = assertThrows(RuntimeException.class, () -> ConnectorConfigs.build(config, ALL));
        assertTrue(e.getMessage().contains("gateway.connectors.fb.client-name"), e.getMessage());
    }

    @Test
    void aConnectorWithOnlyProtocolKeysNamesItsMissingType() {
        Map<String, String> config = facebook();
        config.put("gateway.connectors.corp.saml.sso-url", "https://idp.corp.test/sso");
        RuntimeException e = assertThrows(RuntimeException.class, () -> ConnectorConfigs.build(config, ALL));
        assertTrue(e.getMessage().contains("gateway.connectors.corp.type"), e.getMessage());
    }

    @Test
    void aConnectorIdMayNotBeAReturnAlias() {
        for (ConnectorFactory factory : ALL) {
            Map<String, String> config = new HashMap<>();
            config.put("gateway.connectors." + factory.returnAlias() + ".type", "facebook");
            RuntimeException e = assertThrows(RuntimeException.class, () -> ConnectorConfigs.build(config, ALL));
            assertTrue(e.getMessage().contains("gateway.connectors." + factory.returnAlias() + ".type"), e.getMessage());
        }
    }

    private static Map<String, String> facebook() {
        Map<String, String> config = new HashMap<>();
        config.put("gateway.connectors.fb.type", "facebook");
        config.put("gateway.connectors.fb.client-id", "123");
        config.put("gateway.connectors.fb.client-secret", "secret");
        return config;
    }
}
