package org.communitysso.gateway.connector.saml;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.UUID;
import org.communitysso.gateway.testing.Db;
import org.communitysso.gateway.testing.OAuthBrowser;
import org.communitysso.gateway.testing.SamlTestIdp;
import org.communitysso.gateway.testing.SamlTestIdp.ResponseSpec;
import org.communitysso.gateway.testing.TestIdp;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.keycloak.dom.saml.v2.metadata.EntityDescriptorType;
import org.keycloak.dom.saml.v2.metadata.KeyDescriptorType;
import org.keycloak.dom.saml.v2.metadata.KeyTypes;
import org.keycloak.dom.saml.v2.metadata.SPSSODescriptorType;
import org.keycloak.saml.processing.core.parsers.saml.SAMLParser;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** SP metadata, and single logout in both directions. */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class SamlMetadataAndLogoutTest {

    @ConfigProperty(name = "test.saml.rogue-key")
    String rogueKey;
    @ConfigProperty(name = "test.saml.sp-cert")
    String spCert;
    @Inject
    Db db;

    @Test
    void metadataParsesAsSamlMetadataAndNamesTheAcsUrl() throws Exception {
        Response response = given().get("/auth/corp/saml/metadata");
        assertEquals(200, response.statusCode());
        assertTrue(response.contentType().startsWith("application/samlmetadata+xml"));
        // keycloak-saml-core's metadata parser: the schema's element order and types, not just well-formed XML
        EntityDescriptorType entity = (EntityDescriptorType) SAMLParser.getInstance()
                .parse(new ByteArrayInputStream(response.asByteArray()));
        assertEquals(TestIdp.SP_ENTITY_ID, entity.getEntityID());
        assertEquals(1, entity.getChoiceType().size());
        SPSSODescriptorType sp = entity.getChoiceType().get(0).getDescriptors().get(0).getSpDescriptor();
        assertTrue(sp.isAuthnRequestsSigned());
        assertEquals(1, sp.getAssertionConsumerService().size());
        assertEquals(SamlBrowser.acs("corp"), sp.getAssertionConsumerService().get(0).getLocation().toString());
        assertEquals("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                sp.getAssertionConsumerService().get(0).getBinding().toString());
        assertEquals(List.of("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
                "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"), sp.getSingleLogoutService().stream()
                .map(slo -> slo.getBinding().toString()).toList());
        String base = "http://localhost:" + io.restassured.RestAssured.port;
        sp.getSingleLogoutService().forEach(slo -> assertEquals(base + "/auth/corp/saml/slo",
                slo.getLocation().toString()));
        assertEquals(List.of("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"), sp.getNameIDFormat());
        assertEquals(Set.of(KeyTypes.SIGNING, KeyTypes.ENCRYPTION), sp.getKeyDescriptor().stream()
                .map(KeyDescriptorType::getUse).collect(Collectors.toSet()));
        for (KeyDescriptorType key : sp.getKeyDescriptor()) {
            String base64 = key.getKeyInfo().getElementsByTagNameNS(SamlTestIdp.DS, "X509Certificate").item(0)
                    .getTextContent();
            assertEquals(SamlTestIdp.certificate(spCert), SamlKeys.certificate(base64), "the configured SP certificate");
        }
    }

    @Test
    void metadataWithoutAnSpKeyHasNoKeyDescriptorAndNothingIsGenerated() throws Exception {
        // portal has no saml.sp-private-key; outside dev mode no key is made up for it
        EntityDescriptorType entity = (EntityDescriptorType) SAMLParser.getInstance()
                .parse(new ByteArrayInputStream(given().get("/auth/portal/saml/metadata").asByteArray()));
        SPSSODescriptorType sp = entity.getChoiceType().get(0).getDescriptors().get(0).getSpDescriptor();
        assertTrue(sp.getKeyDescriptor().isEmpty());
        assertEquals(SamlBrowser.acs("portal"), sp.getAssertionConsumerService().get(0).getLocation().toString());
        assertFalse(Files.exists(Path.of("target", "dev-saml", "portal.pem")));
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
                SamlTestIdp.idp(), SamlTestIdp.idpCertificate())), started.relayState(), started.stateCookie());
        assertEquals(302, back.statusCode(), back.asString());
        return back.getCookie("community_session");
    }

    String logoutRequest(String nameId, String sessionIndex, boolean sign) {
        Document document = SamlTestIdp.parse(logoutRequestXml(nameId, sessionIndex));
        if (sign) {
            SamlTestIdp.sign(document.getDocumentElement(), SamlTestIdp.idp(), SamlTestIdp.idpCertificate());
        }
        return SamlTestIdp.base64(document);
    }

    static String logoutRequestXml(String nameId, String sessionIndex) {
        return "<samlp:LogoutRequest xmlns:samlp=\"" + SamlTestIdp.P + "\" xmlns:saml=\"" + SamlTestIdp.A
                + "\" ID=\"_lr" + UUID.randomUUID() + "\" Version=\"2.0\" IssueInstant=\"" + Instant.now()
                + "\" Destination=\"http://localhost:" + io.restassured.RestAssured.port + "/auth/corp/saml/slo\">"
                + "<saml:Issuer>" + TestIdp.CORP_IDP + "</saml:Issuer><saml:NameID>" + nameId + "</saml:NameID>"
                + (sessionIndex == null ? "" : "<samlp:SessionIndex>" + sessionIndex + "</samlp:SessionIndex>")
                + "</samlp:LogoutRequest>";
    }

    static String logoutResponseXml(String inResponseTo, String status) {
        return "<samlp:LogoutResponse xmlns:samlp=\"" + SamlTestIdp.P + "\" xmlns:saml=\"" + SamlTestIdp.A
                + "\" ID=\"_lrs" + UUID.randomUUID() + "\" Version=\"2.0\" IssueInstant=\"" + Instant.now()
                + "\" InResponseTo=\"" + inResponseTo + "\" Destination=\"http://localhost:"
                + io.restassured.RestAssured.port + "/auth/corp/saml/slo\"><saml:Issuer>" + TestIdp.CORP_IDP
                + "</saml:Issuer><samlp:Status><samlp:StatusCode Value=\"" + status + "\"/></samlp:Status>"
                + "</samlp:LogoutResponse>";
    }

    static Response sloRedirect(String query) {
        return given().urlEncodingEnabled(false).redirects().follow(false).accept("application/json")
                .get("/auth/corp/saml/slo?" + query);
    }

    @Test
    void aLogoutRequestOverHttpRedirectIsCheckedAgainstTheIdpCertificate() {
        String dave = "dave-" + UUID.randomUUID() + "@corp.test";
        signOn(dave, "_d1");
        signOn(dave, "_d2");
        KeyPair idp = SamlTestIdp.idp();
        KeyPair rogue = SamlTestIdp.decode(rogueKey);

        Response unsigned = sloRedirect(SamlTestIdp.redirectQuery("SAMLRequest", logoutRequestXml(dave, "_d1"), "rs",
                null));
        assertEquals("signature_invalid", unsigned.jsonPath().getString("error"));
        Response forged = sloRedirect(SamlTestIdp.redirectQuery("SAMLRequest", logoutRequestXml(dave, "_d1"), "rs",
                rogue));
        assertEquals("signature_invalid", forged.jsonPath().getString("error"));
        String signed = SamlTestIdp.redirectQuery("SAMLRequest", logoutRequestXml(dave, "_d1"), "rs", idp);
        Response tampered = sloRedirect(signed.replace("RelayState=rs", "RelayState=other"));
        assertEquals("signature_invalid", tampered.jsonPath().getString("error"));
        Response noSigAlg = sloRedirect(signed.replaceAll("&SigAlg=[^&]*", ""));
        assertTrue(noSigAlg.statusCode() >= 400, noSigAlg.asString());
        assertEquals(2, db.sessionsFor(dave), "nothing revoked by a refused LogoutRequest");

        Response accepted = sloRedirect(signed);
        assertEquals(302, accepted.statusCode(), accepted.asString());
        assertEquals(1, db.sessionsFor(dave), "only the session with that SessionIndex");
        URI answer = URI.create(accepted.header("Location"));
        assertEquals("idp.corp.test", answer.getHost());
        Map<String, String> query = OAuthBrowser.query(answer);
        assertEquals("rs", query.get("RelayState"));
        Element logoutResponse = SamlTestIdp.parse(SamlTestIdp.inflate(query.get("SAMLResponse"))).getDocumentElement();
        assertEquals("LogoutResponse", logoutResponse.getLocalName());
        assertTrue(query.containsKey("Signature"));

        assertEquals("replayed", sloRedirect(signed).jsonPath().getString("error"));
    }

    @Test
    void theIdpsLogoutResponseAfterOurSignOffSendsTheMemberToTheReturnUrl() {
        KeyPair idp = SamlTestIdp.idp();
        SentLogout sent = signOnAndSignOff("erin-" + UUID.randomUUID() + "@corp.test", "_erin");
        assertTrue(!sent.relayState().contains("community.example.com") && sent.relayState().length() <= 80,
                "RelayState is an opaque id, never the URL: " + sent.relayState());
        String success = logoutResponseXml(sent.requestId(), "urn:oasis:names:tc:SAML:2.0:status:Success");

        Response unsigned = sloRedirect(SamlTestIdp.redirectQuery("SAMLResponse", success, sent.relayState(), null));
        assertEquals("signature_invalid", unsigned.jsonPath().getString("error"));
        Response forged = sloRedirect(SamlTestIdp.redirectQuery("SAMLResponse", success, sent.relayState(),
                SamlTestIdp.decode(rogueKey)));
        assertEquals("signature_invalid", forged.jsonPath().getString("error"));

        Response back = sloRedirect(SamlTestIdp.redirectQuery("SAMLResponse", success, sent.relayState(), idp));
        assertEquals(302, back.statusCode(), back.asString());
        assertEquals("https://community.example.com/bye", back.header("Location"));

        // the kept target is used once: the same RelayState again lands on the landing page
        String again = logoutResponseXml(sent.requestId(), "urn:oasis:names:tc:SAML:2.0:status:Success");
        Response twice = sloRedirect(SamlTestIdp.redirectQuery("SAMLResponse", again, sent.relayState(), idp));
        assertEquals("/", URI.create(twice.header("Location")).getPath());

        // over HTTP-POST, enveloped signature; a failed IdP logout still ends at the return_url
        // (our session is gone already) and is audited
        SentLogout second = signOnAndSignOff("erin2-" + UUID.randomUUID() + "@corp.test", "_erin2");
        Document failed = SamlTestIdp.parse(logoutResponseXml(second.requestId(),
                "urn:oasis:names:tc:SAML:2.0:status:Responder"));
        SamlTestIdp.sign(failed.getDocumentElement(), idp, SamlTestIdp.idpCertificate());
        Response post = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("SAMLResponse", SamlTestIdp.base64(failed)).formParam("RelayState", second.relayState())
                .post("/auth/corp/saml/slo");
        assertEquals(302, post.statusCode(), post.asString());
        assertEquals("https://community.example.com/bye", post.header("Location"));

        // a RelayState that is a URL (not an id we issued) is never followed: the landing page
        Response elsewhere = sloRedirect(SamlTestIdp.redirectQuery("SAMLResponse", success, "https://evil.test/x", idp));
        assertEquals(302, elsewhere.statusCode());
        assertEquals("/", URI.create(elsewhere.header("Location")).getPath());
        assertTrue(!elsewhere.header("Location").contains("evil.test"));
    }

    private record SentLogout(String requestId, String relayState) {
    }

    /** Signs a member on through corp, signs them off, and returns what went to the IdP's SLO URL. */
    private SentLogout signOnAndSignOff(String nameId, String sessionIndex) {
        String session = signOn(nameId, sessionIndex);
        Response logout = given().redirects().follow(false).cookie("community_session", session)
                .queryParam("return_url", "https://community.example.com/bye").get("/auth/logout");
        assertEquals(302, logout.statusCode());
        Map<String, String> sent = OAuthBrowser.query(URI.create(logout.header("Location")));
        String requestId = SamlTestIdp.parse(SamlTestIdp.inflate(sent.get("SAMLRequest"))).getDocumentElement()
                .getAttribute("ID");
        return new SentLogout(requestId, sent.get("RelayState"));
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
