package org.communitysso.gateway.connector.saml;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.testing.ConnectorConfigs;
import org.communitysso.gateway.testing.SamlTestIdp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** saml.idp-metadata-url: the IdP's entity id, signing certificate and SSO URL come from its metadata. */
class IdpMetadataUrlTest {

    private static final String PREFIX = "gateway.connectors.meta.";
    private WireMockServer idp;

    @BeforeEach
    void start() {
        idp = new WireMockServer(options().dynamicPort());
        idp.start();
    }

    @AfterEach
    void stop() {
        idp.stop();
    }

    @Test
    void connectorTakesEntityIdCertificateAndSsoUrlFromTheMetadata() {
        X509Certificate certificate = SamlTestIdp.selfSigned(SamlTestIdp.rsa(), "idp");
        serve("/metadata", metadata(certificate, "https://idp.meta.test/sso/redirect"));
        Connector connector = build(Map.of(PREFIX + "saml.idp-metadata-url", idp.baseUrl() + "/metadata"))
                .get("meta");
        URI redirect = connector.start(new Connector.SignOnRequest("https://gw.test/auth/meta/return", false, "state-1"))
                .redirect();
        assertEquals("idp.meta.test", redirect.getHost());
        assertEquals("/sso/redirect", redirect.getPath());
        assertTrue(redirect.getQuery().contains("SAMLRequest="));
    }

    @Test
    void unreachableOrHostileMetadataStopsStartUpNamingTheKey() {
        idp.stubFor(get(urlEqualTo("/down")).willReturn(aResponse().withStatus(503)));
        assertFailsNaming(Map.of(PREFIX + "saml.idp-metadata-url", idp.baseUrl() + "/down"));

        serve("/doctype", "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"&e;\"/>");
        assertFailsNaming(Map.of(PREFIX + "saml.idp-metadata-url", idp.baseUrl() + "/doctype"));

        serve("/nocert", metadata(null, "https://idp.meta.test/sso"));
        assertFailsNaming(Map.of(PREFIX + "saml.idp-metadata-url", idp.baseUrl() + "/nocert"));
    }

    private void assertFailsNaming(Map<String, String> extra) {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> build(extra));
        assertTrue(e.getMessage().contains(PREFIX + "saml.idp-metadata-url"), e.getMessage());
    }

    private void serve(String path, String body) {
        idp.stubFor(get(urlEqualTo(path)).willReturn(aResponse().withHeader("Content-Type", "application/xml")
                .withBody(body)));
    }

    /** Each test's own cache file: no copy saved by another test lets a start-up through. */
    @org.junit.jupiter.api.io.TempDir
    static java.nio.file.Path cacheDir;

    private static Map<String, Connector> build(Map<String, String> extra) {
        Map<String, String> config = new HashMap<>(extra);
        config.put(PREFIX + "saml.idp-metadata-cache", cacheDir.resolve(java.util.UUID.randomUUID() + ".xml").toString());
        config.put(PREFIX + "type", "saml2");
        config.put(PREFIX + "saml.sp-entity-id", "https://community.example.com/saml");
        return ConnectorConfigs.build(config, List.of(new SamlConnectorFactory(null, new TimeSource(), null)));
    }

    private static String metadata(X509Certificate certificate, String ssoUrl) {
        String keys = certificate == null ? "" : "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data>"
                + "<ds:X509Certificate>" + SamlTestIdp.pem(certificate)
                        .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "")
                + "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>";
        return "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
                + "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"https://idp.meta.test/saml\">"
                + "<md:IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">" + keys
                + "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\""
                + ssoUrl + "\"/></md:IDPSSODescriptor></md:EntityDescriptor>";
    }
}
