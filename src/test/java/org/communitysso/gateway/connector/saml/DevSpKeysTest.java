package org.communitysso.gateway.connector.saml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.testing.ConnectorConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dev mode's generated-and-persisted SP key pair. */
class DevSpKeysTest {

    @TempDir
    Path directory;

    @Test
    void generatesOnceAndTheSecondCallReturnsTheSameKey() throws Exception {
        DevSpKeys.Loaded first = DevSpKeys.loadOrCreate(directory, "corp");
        DevSpKeys.Loaded second = DevSpKeys.loadOrCreate(directory, "corp");
        assertTrue(first.generated());
        assertFalse(second.generated());
        assertEquals(directory.resolve("corp.pem"), first.file());
        assertArrayEquals(first.keys().getPrivate().getEncoded(), second.keys().getPrivate().getEncoded());
        assertEquals(first.certificate(), second.certificate());
        assertEquals("RSA", first.keys().getPrivate().getAlgorithm());
        assertEquals(2048, ((java.security.interfaces.RSAPublicKey) first.certificate().getPublicKey()).getModulus()
                .bitLength());
        // the certificate is a valid self-signed one over the generated key
        first.certificate().checkValidity();
        first.certificate().verify(first.certificate().getPublicKey());
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(first.keys().getPrivate());
        signer.update("x".getBytes(StandardCharsets.US_ASCII));
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(first.certificate());
        verifier.update("x".getBytes(StandardCharsets.US_ASCII));
        assertTrue(verifier.verify(signature));
        // another connector gets its own key
        assertFalse(first.certificate().equals(DevSpKeys.loadOrCreate(directory, "portal").certificate()));
    }

    @Test
    void inDevAConnectorWithoutAConfiguredKeyUsesThePersistedOne() throws Exception {
        SamlConnector first = build(directory);
        SamlConnector second = build(directory);
        String certificate = SamlMessages.base64(DevSpKeys.loadOrCreate(directory, "acme").certificate());
        assertTrue(first.metadata("https://sso.test").body().contains(certificate));
        assertEquals(first.metadata("https://sso.test").body(), second.metadata("https://sso.test").body(), "a restart reuses it");
    }

    @Test
    void outsideDevNothingIsGenerated() throws Exception {
        // The factory Quarkus builds takes its directory from the launch mode; in tests that is not dev.
        SamlConnectorFactory factory = new SamlConnectorFactory(null, null);
        Map<String, String> config = config();
        config.put("gateway.connectors.acme.saml.sign-requests", "false");
        SamlConnector connector = (SamlConnector) ConnectorConfigs.build(config, List.of(factory)).get("acme");
        assertFalse(connector.metadata("https://sso.test").body().contains("KeyDescriptor"));
        assertFalse(Files.exists(Path.of("target", "dev-saml", "acme.pem")));
    }

    private static SamlConnector build(Path directory) {
        Map<String, Connector> built = ConnectorConfigs.build(config(),
                List.of(new SamlConnectorFactory(null, null, directory)));
        return (SamlConnector) built.get("acme");
    }

    /** sign-requests=true and no SP key: only dev mode's generated key makes this valid. */
    private static Map<String, String> config() {
        Map<String, String> config = new HashMap<>();
        String prefix = "gateway.connectors.acme.";
        config.put(prefix + "type", "saml2");
        config.put(prefix + "saml.idp-entity-id", "https://idp.acme.test");
        config.put(prefix + "saml.sso-url", "https://idp.acme.test/sso");
        config.put(prefix + "saml.idp-certificate", org.communitysso.gateway.testing.SamlTestIdp.pem(
                org.communitysso.gateway.testing.SamlTestIdp.selfSigned(
                        org.communitysso.gateway.testing.SamlTestIdp.rsa(), "idp")));
        config.put(prefix + "saml.sp-entity-id", "https://sso.test/saml");
        config.put(prefix + "saml.sign-requests", "true");
        return config;
    }
}
