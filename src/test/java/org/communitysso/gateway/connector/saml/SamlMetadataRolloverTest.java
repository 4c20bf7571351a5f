package org.communitysso.gateway.connector.saml;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.IdpProbe;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.testing.ConnectorConfigs;
import org.communitysso.gateway.testing.InMemoryReplayGuard;
import org.communitysso.gateway.testing.LogCapture;
import org.communitysso.gateway.testing.MovableTimeSource;
import org.communitysso.gateway.testing.SamlTestIdp;
import org.communitysso.gateway.testing.SamlTestIdp.ResponseSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An IdP rolls its signing certificate by publishing the next one in its metadata, signing
 * with it, then removing the old one: the gateway follows each step without a restart, keeps
 * its last good copy when the metadata URL fails, and starts from its cached copy when the URL
 * is down at start-up.
 */
class SamlMetadataRolloverTest {

    private static final String IDP = "https://idp.rolling.test/saml";
    private static final String SP = "https://community.example.com/saml";
    private static final String BASE = "https://community.example.com";
    private static final String ACS = BASE + "/auth/rolling/return";

    static KeyPair oldKey;
    static X509Certificate oldCert;
    static KeyPair newKey;
    static X509Certificate newCert;

    WireMockServer idp;
    MovableTimeSource time;
    @TempDir
    Path cacheDir;

    @BeforeAll
    static void keys() {
        oldKey = SamlTestIdp.rsa();
        oldCert = SamlTestIdp.selfSigned(oldKey, "idp-2025");
        newKey = SamlTestIdp.rsa();
        newCert = SamlTestIdp.selfSigned(newKey, "idp-2026");
    }

    @BeforeEach
    void start() {
        idp = new WireMockServer(options().dynamicPort());
        idp.start();
        time = new MovableTimeSource();
    }

    @AfterEach
    void stop() {
        idp.stop();
    }

    @Test
    void aCertificateRolloverIsFollowedWithoutARestart() {
        serve(metadata(null, null, oldCert));
        Connector connector = build();
        assertTrue(accepted(connector, oldKey, oldCert));
        assertEquals("signature_invalid", refusal(connector, newKey, newCert), "the next key is not trusted yet");

        // the IdP publishes its next certificate next to the current one
        serve(metadata(null, null, oldCert, newCert));
        assertTrue(refresher(connector).refreshMetadata(true));
        assertTrue(accepted(connector, oldKey, oldCert), "during the rollover the current key still signs");
        assertTrue(accepted(connector, newKey, newCert), "a response signed with the new certificate is accepted");

        // the old certificate is removed
        serve(metadata(null, null, newCert));
        assertTrue(refresher(connector).refreshMetadata(true));
        assertTrue(accepted(connector, newKey, newCert));
        assertEquals("signature_invalid", refusal(connector, oldKey, oldCert),
                "a response signed with a removed certificate is refused");
    }

    @Test
    void aFailingRefreshKeepsTheLastGoodCopyAndTheProbeSaysSo() {
        serve(metadata(null, null, oldCert));
        Connector connector = build();
        ((IdpProbe) connector).probe();

        idp.stubFor(get(urlEqualTo("/metadata")).willReturn(aResponse().withStatus(503)));
        assertFalse(refresher(connector).refreshMetadata(true));
        assertTrue(accepted(connector, oldKey, oldCert), "still signs on with the last good copy");
        GatewayException probe = assertThrows(GatewayException.class, () -> ((IdpProbe) connector).probe());
        assertEquals("idp_unavailable", probe.reason().code());
        assertTrue(probe.detail().contains("503"), probe.detail());

        // hostile or broken metadata is a failed refresh too, not a new key set
        serve("<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"" + IDP + "\"/>");
        assertFalse(refresher(connector).refreshMetadata(true));
        assertTrue(accepted(connector, oldKey, oldCert));

        // metadata naming another IdP is refused: its keys would sign for this one
        serve(metadata(null, null, newCert).replace(IDP, "https://evil.test/saml"));
        assertFalse(refresher(connector).refreshMetadata(true));
        assertEquals("signature_invalid", refusal(connector, newKey, newCert));

        serve(metadata(null, null, oldCert));
        assertTrue(refresher(connector).refreshMetadata(true));
        ((IdpProbe) connector).probe();
    }

    @Test
    void startUpWithTheUrlDownUsesTheCachedCopyLoudly() {
        serve(metadata(null, null, newCert));
        build(); // the first start saves the metadata
        assertTrue(Files.exists(cacheDir.resolve("rolling.xml")));

        idp.stubFor(get(urlEqualTo("/metadata")).willReturn(aResponse().withStatus(500)));
        try (LogCapture log = LogCapture.install()) {
            Connector connector = build();
            assertTrue(accepted(connector, newKey, newCert), "started from the cached copy");
            assertTrue(log.errors().stream().anyMatch(line -> line.contains("STARTING WITH THE CACHED COPY")),
                    log.errors().toString());
            assertThrows(GatewayException.class, () -> ((IdpProbe) connector).probe());
        }

        // the URL answers again: the next refresh takes it
        serve(metadata(null, null, oldCert));
        Connector restarted = build();
        assertTrue(accepted(restarted, oldKey, oldCert));
    }

    @Test
    void noCachedCopyAndTheUrlDownStillStopsStartUpNamingTheKey() {
        idp.stubFor(get(urlEqualTo("/metadata")).willReturn(aResponse().withStatus(503)));
        ConfigurationException e = assertThrows(ConfigurationException.class, this::build);
        assertTrue(e.getMessage().contains("gateway.connectors.rolling.saml.idp-metadata-url"), e.getMessage());
    }

    @Test
    void refreshFollowsTheScheduleAndTheDocumentsCacheDuration() {
        serve(metadata(null, "PT1H", oldCert)); // the IdP asks to be read again within an hour (config says 6 h)
        Connector connector = build();
        SamlConnector saml = refresher(connector);
        int fetches = idp.findAll(getRequestedFor(urlEqualTo("/metadata"))).size();

        assertFalse(saml.refreshMetadata(false), "not due yet");
        assertEquals(fetches, idp.findAll(getRequestedFor(urlEqualTo("/metadata"))).size());
        time.advance(Duration.ofMinutes(61));
        serve(metadata(null, "PT1H", newCert));
        assertTrue(saml.refreshMetadata(false), "due after the document's cacheDuration");
        assertTrue(accepted(connector, newKey, newCert));
    }

    @Test
    void metadataPastItsValidUntilIsNotTaken() {
        serve(metadata(null, null, oldCert));
        Connector connector = build();
        serve(metadata(Instant.now().minusSeconds(60).toString(), null, newCert));
        assertFalse(refresher(connector).refreshMetadata(true));
        assertEquals("signature_invalid", refusal(connector, newKey, newCert));
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static SamlConnector refresher(Connector connector) {
        return (SamlConnector) connector;
    }

    private Connector build() {
        String c = "gateway.connectors.rolling.";
        Map<String, String> p = new HashMap<>();
        p.put(c + "type", "saml2");
        p.put(c + "saml.idp-metadata-url", idp.baseUrl() + "/metadata");
        p.put(c + "saml.idp-metadata-cache", cacheDir.resolve("rolling.xml").toString());
        p.put(c + "saml.sp-entity-id", SP);
        p.put(c + "connect-timeout", "1S");
        p.put(c + "read-timeout", "1S");
        return ConnectorConfigs.build(p, List.of(new SamlConnectorFactory(new InMemoryReplayGuard(), time, null)))
                .get("rolling");
    }

    private boolean accepted(Connector connector, KeyPair key, X509Certificate cert) {
        return connector.complete(answer(connector, key, cert)).claims().get("nameId") != null;
    }

    private String refusal(Connector connector, KeyPair key, X509Certificate cert) {
        return assertThrows(GatewayException.class, () -> connector.complete(answer(connector, key, cert)))
                .reason().code();
    }

    private Connector.Callback answer(Connector connector, KeyPair key, X509Certificate cert) {
        String state = "state-" + UUID.randomUUID();
        Connector.SignOnStart start = connector.start(new Connector.SignOnRequest(ACS, false, state));
        ResponseSpec spec = new ResponseSpec(ACS, SP, IDP).answering(start.protocolData().get("requestId"));
        spec.attribute("uid", "kim");
        // on the gateway's (movable) clock
        spec.notBefore = time.now().minusSeconds(30);
        spec.notOnOrAfter = time.now().plusSeconds(300);
        spec.subjectNotOnOrAfter = time.now().plusSeconds(300);
        String response = SamlTestIdp.base64(SamlTestIdp.signedAssertion(spec, key, cert));
        return new Connector.Callback(Map.of("SAMLResponse", response, "RelayState", state), start.protocolData(), true,
                BASE);
    }

    private void serve(String body) {
        idp.stubFor(get(urlEqualTo("/metadata")).willReturn(aResponse().withHeader("Content-Type", "application/xml")
                .withBody(body)));
    }

    private static String metadata(String validUntil, String cacheDuration, X509Certificate... certificates) {
        StringBuilder keys = new StringBuilder();
        for (X509Certificate certificate : certificates) {
            keys.append("<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>")
                    .append(SamlTestIdp.pem(certificate).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""))
                    .append("</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>");
        }
        return "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
                + "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"" + IDP + "\""
                + (validUntil == null ? "" : " validUntil=\"" + validUntil + "\"")
                + (cacheDuration == null ? "" : " cacheDuration=\"" + cacheDuration + "\"") + ">"
                + "<md:IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">" + keys
                + "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
                + "Location=\"https://idp.rolling.test/sso\"/></md:IDPSSODescriptor></md:EntityDescriptor>";
    }
}
