package org.communitysso.gateway.connector.saml;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.communitysso.gateway.testing.Db;
import org.communitysso.gateway.testing.OAuthBrowser;
import org.communitysso.gateway.testing.SamlTestIdp;
import org.communitysso.gateway.testing.SamlTestIdp.ResponseSpec;
import org.communitysso.gateway.testing.TestIdp;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** SP metadata, and single logout in both directions. */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class SamlMetadataAndLogoutTest {

    @ConfigProperty(name = "test.saml.idp-key")
    String idpKey;
    @ConfigProperty(name = "test.saml.idp-cert")
    String idpCert;
    @Inject
    Db db;

    static X509Certificate cert(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void metadataParsesAsSamlMetadataAndNamesTheAcsUrl() {
        Response response = given().get("/auth/corp/saml/metadata");
        assertEquals(200, response.statusCode());
        assertTrue(response.contentType().startsWith("application/samlmetadata+xml"));
        Document metadata = SamlTestIdp.parse(response.asString());
        Element entity = metadata.getDocumentElement();
        assertEquals("urn:oasis:names:tc:SAML:2.0:metadata", entity.getNamespaceURI());
        assertEquals("EntityDescriptor", entity.getLocalName());
        assertEquals(TestIdp.SP_ENTITY_ID, entity.getAttribute("entityID"));
        Element acs = (Element) metadata.getElementsByTagNameNS(entity.getNamespaceURI(), "AssertionConsumerService").item(0);
        assertEquals(SamlBrowser.acs("corp"), acs.getAttribute("Location"));
        assertEquals("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", acs.getAttribute("Binding"));
        assertEquals(2, metadata.getElementsByTagNameNS(entity.getNamespaceURI(), "KeyDescriptor").getLength());
        Element slo = (Element) metadata.getElementsByTagNameNS(entity.getNamespaceURI(), "SingleLogoutService").item(0);
        assertTrue(slo.getAttribute("Location").endsWith("/auth/corp/saml/slo"));
        assertEquals("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", metadata
                .getElementsByTagNameNS(entity.getNamespaceURI(), "NameIDFormat").item(0).getTextContent());
        // the connector's own metadata reader accepts it as well-formed SAML metadata of an entity
        assertEquals(0, metadata.getElementsByTagNameNS(entity.getNamespaceURI(), "IDPSSODescriptor").getLength());
    }

    /** Signs on to corp as {@code nameId}; returns the session cookie. */
    String signOn(String nameId, String sessionIndex) {
        SamlBrowser.Started started = SamlBrowser.startRedirect("corp", "/topic/1");
        ResponseSpec spec = new ResponseSpec(SamlBrowser.acs("corp"), TestIdp.SP_ENTITY_ID, TestIdp.CORP_IDP)
                .answering(started.requestId());
        spec.nameId = nameId;
        spec.sessionIndex = sessionIndex;
        spec.attribute("uid", "u" + UUID.randomUUID().toString().substring(0, 12));
        Response back = SamlBrowser.post("/auth/corp/return", SamlTestIdp.base64(SamlTestIdp.signedAssertion(spec,
                SamlTestIdp.decode(idpKey), cert(idpCert))), started.relayState(), started.stateCookie());
        assertEquals(302, back.statusCode(), back.asString());
        return back.getCookie("community_session");
    }

    String logoutRequest(String nameId, String sessionIndex, boolean sign) {
        String xml = "<samlp:LogoutRequest xmlns:samlp=\"" + SamlTestIdp.P + "\" xmlns:saml=\"" + SamlTestIdp.A
                + "\" ID=\"_lr" + UUID.randomUUID() + "\" Version=\"2.0\" IssueInstant=\"" + Instant.now()
                + "\" Destination=\"http://localhost:" + io.restassured.RestAssured.port + "/auth/corp/saml/slo\">"
                + "<saml:Issuer>" + TestIdp.CORP_IDP + "</saml:Issuer><saml:NameID>" + nameId + "</saml:NameID>"
                + (sessionIndex == null ? "" : "<samlp:SessionIndex>" + sessionIndex + "</samlp:SessionIndex>")
                + "</samlp:LogoutRequest>";
        Document document = SamlTestIdp.parse(xml);
        if (sign) {
            SamlTestIdp.sign(document.getDocumentElement(), SamlTestIdp.decode(idpKey), cert(idpCert));
        }
        return SamlTestIdp.base64(document);
    }

    @Test
    void aLogoutRequestFromTheIdpRevokesExactlyTheMembersSessions() {
        String alice = "alice-" + UUID.randomUUID() + "@corp.test";
        String bob = "bob-" + UUID.randomUUID() + "@corp.test";
        signOn(alice, "_s1");
        signOn(alice, "_s2");
        signOn(bob, "_s3");
        assertEquals(2, db.sessionsFor(alice));

        Response unsigned = given().redirects().follow(false).accept("application/json")
                .contentType("application/x-www-form-urlencoded")
                .formParam("SAMLRequest", logoutRequest(alice, null, false)).post("/auth/corp/saml/slo");
        assertEquals("signature_invalid", unsigned.jsonPath().getString("error"));
        assertEquals(2, db.sessionsFor(alice));

        Response one = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("SAMLRequest", logoutRequest(alice, "_s1", true)).post("/auth/corp/saml/slo");
        assertEquals(302, one.statusCode(), one.asString());
        assertEquals(1, db.sessionsFor(alice), "only the session with that SessionIndex");
        URI answer = URI.create(one.header("Location"));
        assertEquals("idp.corp.test", answer.getHost());
        Map<String, String> query = OAuthBrowser.query(answer);
        Element logoutResponse = SamlTestIdp.parse(SamlTestIdp.inflate(query.get("SAMLResponse"))).getDocumentElement();
        assertEquals("LogoutResponse", logoutResponse.getLocalName());
        assertTrue(query.containsKey("Signature"));

        Response all = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("SAMLRequest", logoutRequest(alice, null, true)).post("/auth/corp/saml/slo");
        assertEquals(302, all.statusCode());
        assertEquals(0, db.sessionsFor(alice));
        assertEquals(1, db.sessionsFor(bob), "another member's session is untouched");
    }

    @Test
    void signOffSendsALogoutRequestNamingTheMember() {
        String carol = "carol-" + UUID.randomUUID() + "@corp.test";
        String session = signOn(carol, "_carol-session");
        Response logout = given().redirects().follow(false).cookie("community_session", session)
                .queryParam("return_url", "/bye").get("/auth/logout");
        assertEquals(302, logout.statusCode());
        URI location = URI.create(logout.header("Location"));
        assertEquals("idp.corp.test", location.getHost());
        assertEquals("/slo", location.getPath());
        Map<String, String> query = OAuthBrowser.query(location);
        Document request = SamlTestIdp.parse(SamlTestIdp.inflate(query.get("SAMLRequest")));
        assertEquals(carol, request.getElementsByTagNameNS(SamlTestIdp.A, "NameID").item(0).getTextContent());
        assertEquals("_carol-session", request.getElementsByTagNameNS(SamlTestIdp.P, "SessionIndex").item(0)
                .getTextContent());
        assertTrue(query.containsKey("Signature") && query.containsKey("SigAlg"));
        assertEquals(0, db.sessionsFor(carol));
    }
}
