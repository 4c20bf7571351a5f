package org.communitysso.gateway.connector.saml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Base64;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.SamlTestIdp;
import org.communitysso.gateway.testing.TestIdp;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** SPEC 2.4: SP-initiated sign-on over both bindings, and IdP-initiated sign-on, reach the target with a session. */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class SamlSignOnRoundTripTest {

    @ConfigProperty(name = "test.saml.sp-cert")
    String spCert;

    @Test
    void spInitiatedOverRedirectBindingWithSignedRequest() throws Exception {
        SamlBrowser.Started started = SamlBrowser.startRedirect("corp", "/topic/42");
        Element request = started.request().getDocumentElement();
        assertEquals("AuthnRequest", request.getLocalName());
        assertEquals(SamlBrowser.acs("corp"), request.getAttribute("AssertionConsumerServiceURL"));
        assertEquals("https://idp.corp.test/sso?tenant=community", request.getAttribute("Destination"));
        assertTrue(started.relayState().length() >= 40 && !started.relayState().contains("topic"),
                "RelayState is opaque: " + started.relayState());
        // The redirect query is signed with the SP key, over the parameters as sent.
        assertEquals("community", started.query().get("tenant"));
        String signed = "SAMLRequest=" + enc(started.query().get("SAMLRequest")) + "&RelayState="
                + enc(started.relayState()) + "&SigAlg=" + enc(started.query().get("SigAlg"));
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(SamlTestIdp.certificate(spCert).getPublicKey());
        verifier.update(signed.getBytes(StandardCharsets.US_ASCII));
        assertTrue(verifier.verify(Base64.getDecoder().decode(started.query().get("Signature"))));

        SamlTestIdp.ResponseSpec spec = new SamlTestIdp.ResponseSpec(SamlBrowser.acs("corp"), TestIdp.SP_ENTITY_ID,
                TestIdp.CORP_IDP).answering(started.requestId());
        spec.nameId = "alice-" + java.util.UUID.randomUUID() + "@corp.test";
        spec.attribute("mail", spec.nameId).attribute("uid", "alice" + spec.nameId.substring(6, 14))
                .attribute("memberOf", "staff", "other");
        Response back = SamlBrowser.post("/auth/corp/return", SamlTestIdp.base64(
                SamlTestIdp.signedAssertion(spec, SamlTestIdp.idp(), SamlTestIdp.idpCertificate())), started.relayState(), started.stateCookie());
        assertEquals(302, back.statusCode(), back.asString());
        assertTrue(back.header("Location").endsWith("/topic/42"), back.header("Location"));
        GatewayClient.session(back.getCookie("community_session")).then().statusCode(200)
                .body("externalId", Matchers.equalTo(spec.nameId))
                .body("email", Matchers.equalTo(spec.nameId))
                .body("username", Matchers.equalTo("alice" + spec.nameId.substring(6, 14)))
                .body("customRoles", Matchers.containsInAnyOrder("21", "22"))
                .body("connector", Matchers.equalTo("corp"));
    }

    @Test
    void spInitiatedOverPostBindingThroughTheSharedReturnUrl() {
        SamlBrowser.Started started = SamlBrowser.startPost("portal", "/topic/7");
        assertEquals("https://idp.portal.test/sso", started.request().getDocumentElement().getAttribute("Destination"));

        SamlTestIdp.ResponseSpec spec = new SamlTestIdp.ResponseSpec(
                SamlBrowser.acs("portal").replace("/auth/portal/", "/auth/saml/"), TestIdp.SP_ENTITY_ID,
                TestIdp.PORTAL_IDP).answering(started.requestId());
        spec.attribute("username", uniqueName());
        Document signed = SamlTestIdp.parse(spec.xml());
        SamlTestIdp.sign(signed.getDocumentElement(), SamlTestIdp.idp(), SamlTestIdp.idpCertificate()); // Response signed, not the assertion
        Response back = SamlBrowser.post("/auth/saml/return", SamlTestIdp.base64(signed), started.relayState(),
                started.stateCookie());
        assertEquals(302, back.statusCode(), back.asString());
        assertTrue(back.header("Location").endsWith("/topic/7"));
        GatewayClient.session(back.getCookie("community_session")).then().statusCode(200)
                .body("externalId", Matchers.equalTo(spec.nameId)).body("connector", Matchers.equalTo("portal"));
    }

    @Test
    void idpWithOnlyTheSharedAcsUrlRegisteredSignsOnThroughIt() throws Exception {
        // the stand-in IdP refuses an AuthnRequest naming any ACS URL but the registered shared one
        SamlBrowser.Started started = SamlBrowser.startRedirect("corp-shared", "/shared/saml");
        String acs = "https://community.example.com/auth/saml/return";
        assertEquals(acs, started.request().getDocumentElement().getAttribute("AssertionConsumerServiceURL"));
        // the SP metadata the IdP administrator imports names the same ACS URL
        String metadata = io.restassured.RestAssured.get("/auth/corp-shared/saml/metadata").asString();
        assertTrue(metadata.contains("<md:AssertionConsumerService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\""
                + acs + "\""), metadata);

        // the IdP addresses its answer there (Destination, Recipient) and posts it to that path
        SamlTestIdp.ResponseSpec spec = new SamlTestIdp.ResponseSpec(acs, TestIdp.SP_ENTITY_ID, TestIdp.PORTAL_IDP)
                .answering(started.requestId());
        spec.attribute("username", uniqueName());
        Response back = SamlBrowser.post(java.net.URI.create(acs).getPath(), SamlTestIdp.base64(
                SamlTestIdp.signedAssertion(spec, SamlTestIdp.idp(), SamlTestIdp.idpCertificate())),
                started.relayState(), started.stateCookie());
        assertEquals(302, back.statusCode(), back.asString());
        assertTrue(back.header("Location").endsWith("/shared/saml"), back.header("Location"));
        GatewayClient.session(back.getCookie("community_session")).then().statusCode(200)
                .body("externalId", Matchers.equalTo(spec.nameId)).body("connector", Matchers.equalTo("corp-shared"));

        // an answer addressed elsewhere is still refused
        SamlBrowser.Started again = SamlBrowser.startRedirect("corp-shared", "/");
        SamlTestIdp.ResponseSpec misaddressed = new SamlTestIdp.ResponseSpec("https://elsewhere.test/auth/saml/return",
                TestIdp.SP_ENTITY_ID, TestIdp.PORTAL_IDP).answering(again.requestId());
        Response refused = SamlBrowser.post("/auth/saml/return", SamlTestIdp.base64(
                SamlTestIdp.signedAssertion(misaddressed, SamlTestIdp.idp(), SamlTestIdp.idpCertificate())),
                again.relayState(), again.stateCookie());
        assertEquals(401, refused.statusCode(), refused.asString());
        assertTrue(refused.asString().contains("destination_invalid"), refused.asString());
        assertNull(refused.getCookie("community_session"));
    }

    @Test
    void postBindingPageAutoSubmitsUnderANonceAndWorksWithoutScript() {
        Response login = io.restassured.RestAssured.given().redirects().follow(false)
                .queryParam("return_url", "/").get("/auth/portal/login");
        assertEquals(200, login.statusCode());
        String csp = login.header("Content-Security-Policy");
        String nonce = csp.replaceAll(".*script-src 'nonce-([^']+)'.*", "$1");
        assertTrue(login.asString().contains("<script nonce=\"" + nonce + "\">"), login.asString());
        assertTrue(csp.contains("form-action https://idp.portal.test"), csp);
        assertTrue(login.asString().contains("<noscript>") && login.asString().contains("<button type=\"submit\">"));
        assertTrue(login.asString().contains("action=\"https://idp.portal.test/sso\""));
        assertNotNull(login.getCookie("community_sign_on"));
    }

    @Test
    void idpInitiatedSignOnGoesToTheRelayStateWhenItIsAnAllowedTarget() {
        SamlTestIdp.ResponseSpec spec = new SamlTestIdp.ResponseSpec(SamlBrowser.acs("portal"), TestIdp.SP_ENTITY_ID,
                TestIdp.PORTAL_IDP);
        spec.attribute("username", uniqueName());
        Response back = SamlBrowser.post("/auth/portal/return",
                SamlTestIdp.base64(SamlTestIdp.signedAssertion(spec, SamlTestIdp.idp(), SamlTestIdp.idpCertificate())),
                "https://community.example.com/topic/9", null);
        assertEquals(302, back.statusCode(), back.asString());
        assertEquals("https://community.example.com/topic/9", back.header("Location"));
        GatewayClient.session(back.getCookie("community_session")).then().statusCode(200)
                .body("externalId", Matchers.equalTo(spec.nameId));
    }

    @Test
    void aNameIdDifferingOnlyInCaseIsAnotherMember() {
        String local = "alice" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String alice = idpInitiated(local + "@x.test");
        String other = idpInitiated(local.toUpperCase() + "@X.TEST");
        String aliceId = GatewayClient.session(alice).jsonPath().getString("userId");
        GatewayClient.session(other).then().statusCode(200)
                .body("externalId", Matchers.equalTo(local.toUpperCase() + "@X.TEST"))
                .body("userId", Matchers.not(Matchers.equalTo(aliceId)));
    }

    private String idpInitiated(String nameId) {
        SamlTestIdp.ResponseSpec spec = new SamlTestIdp.ResponseSpec(SamlBrowser.acs("portal"), TestIdp.SP_ENTITY_ID,
                TestIdp.PORTAL_IDP);
        spec.nameId = nameId;
        spec.attribute("username", uniqueName());
        Response back = SamlBrowser.post("/auth/portal/return",
                SamlTestIdp.base64(SamlTestIdp.signedAssertion(spec, SamlTestIdp.idp(), SamlTestIdp.idpCertificate())), null, null);
        assertEquals(302, back.statusCode(), back.asString());
        return back.getCookie("community_session");
    }

    @Test
    void idpInitiatedSignOnWithAForeignOrOpaqueRelayStateLandsOnTheLandingPage() {
        for (String relayState : new String[] {"https://evil.example/steal", "opaque-token-123", null}) {
            SamlTestIdp.ResponseSpec spec = new SamlTestIdp.ResponseSpec(SamlBrowser.acs("portal"),
                    TestIdp.SP_ENTITY_ID, TestIdp.PORTAL_IDP);
            spec.attribute("username", uniqueName());
            Response back = SamlBrowser.post("/auth/portal/return",
                    SamlTestIdp.base64(SamlTestIdp.signedAssertion(spec, SamlTestIdp.idp(), SamlTestIdp.idpCertificate())), relayState, null);
            assertEquals(302, back.statusCode(), back.asString());
            java.net.URI location = java.net.URI.create(back.header("Location"));
            assertEquals("localhost", location.getHost(), "RelayState " + relayState);
            assertEquals("/", location.getPath(), "RelayState " + relayState);
            assertNotNull(back.getCookie("community_session"));
        }
    }

    @Test
    void theSignOnStateCannotBeUsedForAnotherRelayState() {
        SamlBrowser.Started started = SamlBrowser.startRedirect("corp", "/topic/1");
        SamlTestIdp.ResponseSpec spec = new SamlTestIdp.ResponseSpec(SamlBrowser.acs("corp"), TestIdp.SP_ENTITY_ID,
                TestIdp.CORP_IDP).answering(started.requestId());
        Response back = SamlBrowser.post("/auth/corp/return",
                SamlTestIdp.base64(SamlTestIdp.signedAssertion(spec, SamlTestIdp.idp(), SamlTestIdp.idpCertificate())),
                "another", started.stateCookie());
        // a RelayState that names none of this browser's sign-ons: the answer is unsolicited, and its
        // InResponseTo then names a request this browser did not start
        assertEquals(401, back.statusCode());
        back.then().body("error", Matchers.equalTo("in_response_to_invalid"));
        assertNull(back.getCookie("community_session"));
        // the sign-on itself is still there for its own answer (which goes on to the sign-up form)
        Response own = SamlBrowser.post("/auth/corp/return",
                SamlTestIdp.base64(SamlTestIdp.signedAssertion(spec, SamlTestIdp.idp(), SamlTestIdp.idpCertificate())), started.relayState(),
                started.stateCookie());
        assertEquals(303, own.statusCode(), own.asString());
        assertTrue(own.header("Location").endsWith("/auth/profile"));
    }

    static String uniqueName() {
        return "m" + java.util.UUID.randomUUID().toString().substring(0, 12);
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
