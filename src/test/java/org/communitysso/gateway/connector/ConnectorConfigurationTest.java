package org.communitysso.gateway.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.configuration.ConfigurationException;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.communitysso.gateway.connector.facebook.FacebookConnectorFactory;
import org.communitysso.gateway.connector.jwt.JwtConnectorFactory;
import org.communitysso.gateway.testing.ConnectorConfigs;
import org.communitysso.gateway.connector.oauth2.OAuth2ConnectorFactory;
import org.communitysso.gateway.connector.saml.SamlConnectorFactory;
import org.communitysso.gateway.testing.SamlTestIdp;
import org.junit.jupiter.api.Test;

/** A connector with a missing or invalid setting stops start-up with a message naming the key. */
class ConnectorConfigurationTest {

    private static final String PREFIX = "gateway.connectors.acme.";

    @Test
    void validJwtConnectorBuilds() {
        Map<String, Connector> built = build(validJwt());
        assertEquals("jwt", built.get("acme").settings().type());
        assertEquals("Acme", built.get("acme").settings().label());
    }

    @Test
    void anHttpsIconIsKeptForTheSignInPage() {
        Map<String, String> config = validJwt();
        config.put(PREFIX + "icon", "https://idp.acme.test/favicon.png");
        assertEquals("https://idp.acme.test/favicon.png", build(config).get("acme").settings().icon().orElseThrow());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"javascript:alert(1)", "data:image/png;base64,AAAA",
            "/relative/icon.png", "ftp://idp.acme.test/icon.png"})
    void aNonHttpIconStopsStartUpNamingTheKey(String icon) {
        Map<String, String> config = validJwt();
        config.put(PREFIX + "icon", icon);
        assertFailsNaming(config, PREFIX + "icon");
    }

    @Test
    void aDisabledConnectorIsBuiltButNotLive() {
        Map<String, String> config = validJwt();
        config.put(PREFIX + "enabled", "false");
        assertEquals(false, build(config).get("acme").settings().enabled());
    }

    @Test
    void missingSignOnUrlNamesTheKey() {
        Map<String, String> config = validJwt();
        config.remove(PREFIX + "sign-on-url");
        assertFailsNaming(config, PREFIX + "sign-on-url");
    }

    @Test
    void missingKeyNamesTheKey() {
        Map<String, String> config = validJwt();
        config.remove(PREFIX + "jwt.public-key");
        assertFailsNaming(config, PREFIX + "jwt.public-key");
    }

    @Test
    void twoKeySourcesAreRefused() {
        Map<String, String> config = validJwt();
        config.put(PREFIX + "jwt.shared-secret", "x".repeat(40));
        assertFailsNaming(config, PREFIX + "jwt.public-key");
    }

    @Test
    void algorithmNoneIsRefused() {
        Map<String, String> config = validJwt();
        config.put(PREFIX + "jwt.algorithms", "RS256,none");
        assertFailsNaming(config, PREFIX + "jwt.algorithms");
    }

    @Test
    void hmacAlgorithmWithAPublicKeyIsRefused() {
        Map<String, String> config = validJwt();
        config.put(PREFIX + "jwt.algorithms", "HS256");
        assertFailsNaming(config, PREFIX + "jwt.algorithms");
    }

    @Test
    void shortSharedSecretIsRefused() {
        Map<String, String> config = validJwt();
        config.remove(PREFIX + "jwt.public-key");
        config.put(PREFIX + "jwt.shared-secret", "too-short");
        assertFailsNaming(config, PREFIX + "jwt.shared-secret");
    }

    @Test
    void unreadablePublicKeyIsRefused() {
        Map<String, String> config = validJwt();
        config.put(PREFIX + "jwt.public-key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----");
        assertFailsNaming(config, PREFIX + "jwt.public-key");
    }

    @Test
    void nonHttpSignOnUrlIsRefused() {
        Map<String, String> config = validJwt();
        config.put(PREFIX + "sign-on-url", "javascript:alert(1)");
        assertFailsNaming(config, PREFIX + "sign-on-url");
    }

    @Test
    void unknownTypeIsRefused() {
        Map<String, String> config = validJwt();
        config.put(PREFIX + "type", "kerberos");
        assertFailsNaming(config, PREFIX + "type");
    }

    @Test
    void unknownMappingFieldIsRefused() {
        Map<String, String> config = validJwt();
        config.put(PREFIX + "mapping.nickname", "nick");
        assertFailsNaming(config, PREFIX + "mapping.nickname");
    }

    @Test
    void missingTypeNamesTheKey() {
        Map<String, String> config = validJwt();
        config.remove(PREFIX + "type");
        RuntimeException e = assertThrows(RuntimeException.class, () -> build(config));
        assertTrue(fullMessage(e).contains(PREFIX + "type"), fullMessage(e));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Map<String, String> config = validJwt();
        config.remove(PREFIX + "sign-on-url");
        config.put(PREFIX + "jwt.algorithms", "none");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> build(config));
        assertTrue(e.getMessage().contains(PREFIX + "sign-on-url") && e.getMessage().contains(PREFIX + "jwt.algorithms"),
                e.getMessage());
    }

    @Test
    void oauth2ConnectorNamesEachMissingKey() {
        Map<String, String> config = new HashMap<>();
        config.put("gateway.connectors.hub.type", "oauth2");
        config.put("gateway.connectors.hub.client-id", "id");
        config.put("gateway.connectors.hub.oauth2.client-authentication", "jwt");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> build(config));
        for (String key : new String[] {"authorization-url", "token-url", "user-info-url", "client-secret",
                "oauth2.client-authentication"}) {
            assertTrue(e.getMessage().contains("gateway.connectors.hub." + key), key + " in " + e.getMessage());
        }
    }

    @Test
    void validOAuth2AndFacebookConnectorsBuild() {
        Map<String, String> config = new HashMap<>();
        config.put("gateway.connectors.hub.type", "oauth2");
        config.put("gateway.connectors.hub.client-id", "id");
        config.put("gateway.connectors.hub.client-secret", "secret");
        config.put("gateway.connectors.hub.authorization-url", "https://hub.test/authorize");
        config.put("gateway.connectors.hub.token-url", "https://hub.test/token");
        config.put("gateway.connectors.hub.user-info-url", "https://hub.test/user");
        config.put("gateway.connectors.fb.type", "facebook");
        config.put("gateway.connectors.fb.client-id", "123");
        config.put("gateway.connectors.fb.client-secret", "secret");
        Map<String, Connector> built = build(config);
        assertEquals("oauth2", built.get("hub").settings().type());
        assertEquals("facebook", built.get("fb").settings().type());
    }

    @Test
    void facebookConnectorNamesBadKeys() {
        Map<String, String> config = new HashMap<>();
        config.put("gateway.connectors.fb.type", "facebook");
        config.put("gateway.connectors.fb.client-secret", "secret");
        config.put("gateway.connectors.fb.facebook.graph-api-url", "ftp://graph.test");
        assertFailsNaming(config, "gateway.connectors.fb.client-id");
        config.put("gateway.connectors.fb.client-id", "123");
        assertFailsNaming(config, "gateway.connectors.fb.facebook.graph-api-url");
        config.put("gateway.connectors.fb.facebook.graph-api-url", "https://graph.test");
        config.put("gateway.connectors.fb.facebook.graph-api-version", "latest");
        assertFailsNaming(config, "gateway.connectors.fb.facebook.graph-api-version");
    }

    private static final String SAML = "gateway.connectors.corp.saml.";

    @Test
    void validSamlConnectorBuilds() {
        assertEquals("saml2", build(validSaml()).get("corp").settings().type());
    }

    @Test
    void samlConnectorNamesEachMissingKey() {
        for (String key : new String[] {"sso-url", "idp-entity-id", "idp-certificate", "sp-entity-id"}) {
            Map<String, String> config = validSaml();
            config.remove(SAML + key);
            assertFailsNaming(config, SAML + key);
        }
    }

    @Test
    void samlConnectorRefusesBadValues() {
        Map<String, String> config = validSaml();
        config.put(SAML + "binding", "artifact");
        assertFailsNaming(config, SAML + "binding");
        config = validSaml();
        config.put(SAML + "signature-algorithm", "md5");
        assertFailsNaming(config, SAML + "signature-algorithm");
        config = validSaml();
        config.put(SAML + "sso-url", "ftp://idp.corp.test/sso");
        assertFailsNaming(config, SAML + "sso-url");
        config = validSaml();
        config.put(SAML + "idp-certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----");
        assertFailsNaming(config, SAML + "idp-certificate");
    }

    @Test
    void samlSignRequestsNeedsTheSpKeyOutsideDev() {
        Map<String, String> config = validSaml();
        config.put(SAML + "sign-requests", "true");
        assertFailsNaming(config, SAML + "sp-private-key");
        var keys = SamlTestIdp.rsa();
        config.put(SAML + "sp-private-key", SamlTestIdp.privatePem(keys));
        assertFailsNaming(config, SAML + "sp-certificate");
        config.put(SAML + "sp-certificate", SamlTestIdp.pem(SamlTestIdp.selfSigned(keys, "sp")));
        assertEquals("saml2", build(config).get("corp").settings().type());
    }

    private static Map<String, String> validSaml() {
        Map<String, String> config = new HashMap<>();
        config.put("gateway.connectors.corp.type", "saml2");
        config.put(SAML + "idp-entity-id", "https://idp.corp.test/saml");
        config.put(SAML + "sso-url", "https://idp.corp.test/sso");
        config.put(SAML + "idp-certificate", SamlTestIdp.pem(SamlTestIdp.selfSigned(SamlTestIdp.rsa(), "idp")));
        config.put(SAML + "sp-entity-id", "https://community.example.com/saml");
        return config;
    }

    @Test
    void returnUrlMustBeOneOfTheConnectorsGatewayReturnUrls() {
        Map<String, String> config = validJwt();
        assertEquals(java.util.Optional.empty(), build(config).get("acme").settings().returnUrl(),
                "without it, the connector's own return URL at the gateway's base");
        config.put(PREFIX + "return-url", "https://community.example.com/auth/token/return");
        assertEquals("https://community.example.com/auth/token/return",
                build(config).get("acme").settings().returnUrl().orElseThrow().toString());
        config.put(PREFIX + "return-url", "https://community.example.com/auth/acme/return");
        assertEquals("https://community.example.com/auth/acme/return",
                build(config).get("acme").settings().returnUrl().orElseThrow().toString());
        for (String bad : List.of("/auth/acme/return", "ftp://community.example.com/auth/acme/return",
                "https://community.example.com/auth/other/return", "https://community.example.com/auth/saml/return",
                "https://community.example.com/auth/acme/return?x=1", "https://community.example.com/auth/acme/login",
                "https://community.example.com/auth/acme/return#f")) {
            config.put(PREFIX + "return-url", bad);
            assertFailsNaming(config, PREFIX + "return-url");
        }
    }

    private static void assertFailsNaming(Map<String, String> config, String key) {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> build(config));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    private static Map<String, Connector> build(Map<String, String> properties) {
        return ConnectorConfigs.build(properties, List.of(new JwtConnectorFactory(null, null),
                new OAuth2ConnectorFactory(), new FacebookConnectorFactory(), new SamlConnectorFactory(null, null)));
    }

    private static Map<String, String> validJwt() {
        Map<String, String> config = new HashMap<>();
        config.put(PREFIX + "type", "jwt");
        config.put(PREFIX + "label", "Acme");
        config.put(PREFIX + "sign-on-url", "https://idp.acme.test/sso");
        config.put(PREFIX + "jwt.public-key", publicKeyPem());
        config.put(PREFIX + "jwt.max-age", "5M");
        return config;
    }

    private static String publicKeyPem() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder().encodeToString(generator.generateKeyPair().getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String fullMessage(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t.getMessage()).append('\n');
        }
        return text.toString();
    }
}
