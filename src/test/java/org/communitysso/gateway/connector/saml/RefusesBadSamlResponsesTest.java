package org.communitysso.gateway.connector.saml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.crypto.KeyGenerator;
import javax.xml.namespace.QName;
import org.communitysso.gateway.testing.Db;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.SamlTestIdp;
import org.communitysso.gateway.testing.SamlTestIdp.ResponseSpec;
import org.communitysso.gateway.testing.TestIdp;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.keycloak.saml.processing.core.util.XMLEncryptionUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The assertion consumer's attack matrix (SPEC 2.4): each bad Response is refused
 * with its reason code and leaves no session and no account behind.
 */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class RefusesBadSamlResponsesTest {

    @ConfigProperty(name = "test.saml.rogue-key")
    String rogueKey;
    @ConfigProperty(name = "test.saml.rogue-cert")
    String rogueCert;
    @ConfigProperty(name = "test.saml.sp-key")
    String spKey;
    @Inject
    Db db;

    // ---- helpers ---------------------------------------------------------------------------

    /** A started corp sign-on and a valid answer to it; tests spoil one thing. */
    record Case(SamlBrowser.Started started, ResponseSpec spec) {
    }

    Case corp() {
        SamlBrowser.Started started = SamlBrowser.startRedirect("corp", "/topic/1");
        ResponseSpec spec = new ResponseSpec(SamlBrowser.acs("corp"), TestIdp.SP_ENTITY_ID, TestIdp.CORP_IDP)
                .answering(started.requestId());
        spec.attribute("uid", SamlSignOnRoundTripTest.uniqueName());
        return new Case(started, spec);
    }

    Document signed(ResponseSpec spec) {
        return signedAssertion(spec);
    }

    Response post(Case c, Document document) {
        return post(c, SamlTestIdp.serialise(document));
    }

    Response post(Case c, String xml) {
        return SamlBrowser.post("/auth/corp/return", SamlTestIdp.base64(xml), c.started().relayState(),
                c.started().stateCookie());
    }

    void refused(Response response, String code, ResponseSpec spec) {
        assertNotEquals(302, response.statusCode(), "accepted: " + response.header("Location"));
        response.then().body("error", Matchers.equalTo(code));
        assertNull(response.getCookie("community_session"));
        assertEquals(0, db.sessionsFor(spec.nameId), "no session");
        assertEquals(0, db.linksFor(spec.nameId), "no account link");
    }

    void refusedWith(String code, Consumer<ResponseSpec> spoil) {
        Case c = corp();
        spoil.accept(c.spec());
        refused(post(c, signed(c.spec())), code, c.spec());
    }

    @Test
    void aValidResponseIsAcceptedByTheSameHelpers() {
        Case c = corp();
        Response response = post(c, signed(c.spec()));
        assertEquals(302, response.statusCode(), response.asString());
        assertEquals(1, db.sessionsFor(c.spec().nameId));
    }

    // ---- signatures ------------------------------------------------------------------------

    @Test
    void unsignedAssertion() {
        Case c = corp();
        refused(post(c, c.spec().xml()), "signature_invalid", c.spec());
    }

    @Test
    void signatureByAnotherKey() {
        Case c = corp();
        Document document = SamlTestIdp.signedAssertion(c.spec(), SamlTestIdp.decode(rogueKey), SamlTestIdp.certificate(rogueCert));
        refused(post(c, document), "signature_invalid", c.spec());
    }

    @Test
    void attributeTamperedAfterSigning() {
        Case c = corp();
        c.spec().attribute("customRoles", "5");
        Document document = signed(c.spec());
        Element value = (Element) document.getElementsByTagNameNS(SamlTestIdp.A, "AttributeValue").item(1);
        value.setTextContent("1");
        refused(post(c, document), "signature_invalid", c.spec());
    }

    @Test
    void rsaSha1WhenNotConfigured() {
        Case c = corp();
        Document document = SamlTestIdp.parse(c.spec().xml());
        SamlTestIdp.sign(SamlTestIdp.assertion(document), SamlTestIdp.idp(), SamlTestIdp.idpCertificate(), SamlTestIdp.RSA_SHA1, SamlTestIdp.SHA1);
        refused(post(c, document), "algorithm_not_allowed", c.spec());
    }

    @Test
    void rsaSha1IsAcceptedWhereConfigured() {
        ResponseSpec spec = new ResponseSpec(SamlBrowser.acs("portal"), TestIdp.SP_ENTITY_ID, TestIdp.PORTAL_IDP);
        spec.attribute("username", SamlSignOnRoundTripTest.uniqueName());
        Document document = SamlTestIdp.parse(spec.xml());
        SamlTestIdp.sign(SamlTestIdp.assertion(document), SamlTestIdp.idp(), SamlTestIdp.idpCertificate(), SamlTestIdp.RSA_SHA1, SamlTestIdp.SHA1);
        Response response = SamlBrowser.post("/auth/portal/return", SamlTestIdp.base64(document), null, null);
        assertEquals(302, response.statusCode(), response.asString());
    }

    @Test
    void twoAssertionsEvenIfBothAreSigned() {
        Case c = corp();
        Document document = signed(c.spec());
        ResponseSpec other = new ResponseSpec(SamlBrowser.acs("corp"), TestIdp.SP_ENTITY_ID, TestIdp.CORP_IDP)
                .answering(c.started().requestId());
        Element second = (Element) document.importNode(SamlTestIdp.assertion(signed(other)), true);
        document.getDocumentElement().appendChild(second);
        refused(post(c, document), "saml_invalid", c.spec());
    }

    // ---- XML signature wrapping (XSW1-XSW8), moved assertions, duplicate ids: one table ------------

    /** An unsigned copy of the signed assertion claiming another member, with a fresh id. */
    static Element evilAssertion(Document document, Element original) {
        Element evil = (Element) original.cloneNode(true);
        evil.setAttribute("ID", "_evil" + UUID.randomUUID());
        Element signature = child(evil, SamlTestIdp.DS, "Signature");
        if (signature != null) {
            evil.removeChild(signature);
        }
        evil.getElementsByTagNameNS(SamlTestIdp.A, "NameID").item(0).setTextContent("admin@corp.test");
        return evil;
    }

    static Element child(Element parent, String ns, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && ns.equals(e.getNamespaceURI()) && name.equals(e.getLocalName())) {
                return e;
            }
        }
        return null;
    }

    /** Response-signed variants start from a signed Response. */
    static Document signedResponse(ResponseSpec spec) {
        Document document = SamlTestIdp.parse(spec.xml());
        SamlTestIdp.sign(document.getDocumentElement(), SamlTestIdp.idp(), SamlTestIdp.idpCertificate());
        return document;
    }

    /** Assertion-signed variants start from a Response whose assertion is signed (the common IdP setting). */
    static Document signedAssertion(ResponseSpec spec) {
        return SamlTestIdp.signedAssertion(spec, SamlTestIdp.idp(), SamlTestIdp.idpCertificate());
    }

    /**
     * Each case: how the IdP signed a valid answer, and how an attacker rewrites the document after signing.
     * All are refused as saml_invalid and leave no session and no account behind.
     */
    static Stream<Arguments> signatureWrapping() {
        return Stream.of(
                wrapping("XSW1: evil Response wraps the signed one inside its Signature", true, (document, spec) -> {
                    Element original = document.getDocumentElement();
                    Element evilResponse = (Element) original.cloneNode(true);
                    evilResponse.setAttribute("ID", "_evilresp");
                    Element evilSignature = child(evilResponse, SamlTestIdp.DS, "Signature");
                    Element assertion = child(evilResponse, SamlTestIdp.A, "Assertion");
                    assertion.getElementsByTagNameNS(SamlTestIdp.A, "NameID").item(0).setTextContent("admin@corp.test");
                    document.replaceChild(evilResponse, original);
                    evilSignature.appendChild(original);
                }),
                wrapping("XSW2: signed Response detached before the evil content", true, (document, spec) -> {
                    Element original = document.getDocumentElement();
                    Element evilResponse = (Element) original.cloneNode(true);
                    evilResponse.setAttribute("ID", "_evilresp");
                    evilResponse.removeChild(child(evilResponse, SamlTestIdp.DS, "Signature"));
                    child(evilResponse, SamlTestIdp.A, "Assertion").getElementsByTagNameNS(SamlTestIdp.A, "NameID")
                            .item(0).setTextContent("admin@corp.test");
                    document.replaceChild(evilResponse, original);
                    evilResponse.insertBefore(original, evilResponse.getFirstChild());
                }),
                wrapping("XSW3: evil Assertion before the signed one", false, (document, spec) -> {
                    Element original = SamlTestIdp.assertion(document);
                    document.getDocumentElement().insertBefore(evilAssertion(document, original), original);
                }),
                wrapping("XSW4: evil Assertion wraps the signed one", false, (document, spec) -> {
                    Element original = SamlTestIdp.assertion(document);
                    Element evil = evilAssertion(document, original);
                    document.getDocumentElement().replaceChild(evil, original);
                    evil.appendChild(original);
                }),
                wrapping("XSW5: evil Assertion carries the copied Signature, the original is appended", false,
                        (document, spec) -> {
                            Element original = SamlTestIdp.assertion(document);
                            Element evil = evilAssertion(document, original);
                            Element copiedSignature = (Element) child(original, SamlTestIdp.DS, "Signature")
                                    .cloneNode(true);
                            evil.insertBefore(copiedSignature, child(evil, SamlTestIdp.A, "Subject"));
                            document.getDocumentElement().replaceChild(evil, original);
                            document.getDocumentElement().appendChild(original);
                        }),
                wrapping("XSW6: original hidden in the evil Signature's Object", false, (document, spec) -> {
                    Element original = SamlTestIdp.assertion(document);
                    Element evil = evilAssertion(document, original);
                    Element copiedSignature = (Element) child(original, SamlTestIdp.DS, "Signature").cloneNode(true);
                    evil.insertBefore(copiedSignature, child(evil, SamlTestIdp.A, "Subject"));
                    Element object = document.createElementNS(SamlTestIdp.DS, "ds:Object");
                    copiedSignature.appendChild(object);
                    document.getDocumentElement().replaceChild(evil, original);
                    object.appendChild(original);
                }),
                wrapping("XSW7: signed Assertion moved into Extensions", false, (document, spec) -> {
                    Element original = SamlTestIdp.assertion(document);
                    Element evil = evilAssertion(document, original);
                    Element extensions = document.createElementNS(SamlTestIdp.P, "samlp:Extensions");
                    Element response = document.getDocumentElement();
                    response.insertBefore(extensions, child(response, SamlTestIdp.P, "Status"));
                    response.replaceChild(evil, original);
                    extensions.appendChild(original);
                }),
                wrapping("XSW8: original inside an Object of the evil Assertion's own Signature", false,
                        (document, spec) -> {
                            Element original = SamlTestIdp.assertion(document);
                            Element evil = evilAssertion(document, original);
                            Element copiedSignature = (Element) child(original, SamlTestIdp.DS, "Signature")
                                    .cloneNode(true);
                            evil.insertBefore(copiedSignature, child(evil, SamlTestIdp.A, "Subject"));
                            Element object = document.createElementNS(SamlTestIdp.DS, "ds:Object");
                            copiedSignature.appendChild(object);
                            Element stripped = (Element) original.cloneNode(true);
                            stripped.removeChild(child(stripped, SamlTestIdp.DS, "Signature"));
                            object.appendChild(stripped);
                            document.getDocumentElement().replaceChild(evil, original);
                        }),
                wrapping("the only Assertion moved into Extensions", false, (document, spec) -> {
                    Element original = SamlTestIdp.assertion(document);
                    Element response = document.getDocumentElement();
                    Element extensions = document.createElementNS(SamlTestIdp.P, "samlp:Extensions");
                    response.insertBefore(extensions, child(response, SamlTestIdp.P, "Status"));
                    extensions.appendChild(original);
                }),
                wrapping("the only Assertion moved into an Object of the Response's Signature", true,
                        (document, spec) -> {
                            Element object = document.createElementNS(SamlTestIdp.DS, "ds:Object");
                            child(document.getDocumentElement(), SamlTestIdp.DS, "Signature").appendChild(object);
                            object.appendChild(SamlTestIdp.assertion(document));
                        }),
                wrapping("a decoy in Extensions with the signed Assertion's ID (duplicate ids)", false,
                        (document, spec) -> {
                            Element response = document.getDocumentElement();
                            Element extensions = document.createElementNS(SamlTestIdp.P, "samlp:Extensions");
                            Element decoy = document.createElementNS("urn:x-evil", "x:Decoy");
                            decoy.setAttribute("ID", spec.assertionId);
                            extensions.appendChild(decoy);
                            response.insertBefore(extensions, child(response, SamlTestIdp.P, "Status"));
                        }));
    }

    static Arguments wrapping(String name, boolean responseSigned, BiConsumer<Document, ResponseSpec> rewrite) {
        return Arguments.of(name, responseSigned, rewrite);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("signatureWrapping")
    void signatureWrappingIsRefused(String name, boolean responseSigned, BiConsumer<Document, ResponseSpec> rewrite) {
        Case c = corp();
        Document document = responseSigned ? signedResponse(c.spec()) : signedAssertion(c.spec());
        rewrite.accept(document, c.spec());
        refused(post(c, document), "saml_invalid", c.spec());
    }

    @Test
    void aCommentInTheNameIdIsNeverReadAsATruncatedValue() {
        Case c = corp();
        String unique = UUID.randomUUID().toString();
        c.spec().nameId = "alice-" + unique + "@x.evil";
        Document document = signed(c.spec());
        Element nameId = (Element) document.getElementsByTagNameNS(SamlTestIdp.A, "NameID").item(0);
        nameId.setTextContent("");
        nameId.appendChild(document.createTextNode("alice-" + unique + "@x"));
        nameId.appendChild(document.createComment(""));
        nameId.appendChild(document.createTextNode(".evil"));
        Response response = post(c, SamlTestIdp.serialise(document));
        assertEquals(302, response.statusCode(), response.asString());
        GatewayClient.session(response.getCookie("community_session")).then().statusCode(200)
                .body("externalId", Matchers.equalTo("alice-" + unique + "@x.evil"));
        assertEquals(0, db.linksFor("alice-" + unique + "@x"));
    }

    // ---- XML parsing -----------------------------------------------------------------------

    @Test
    void doctypeExternalEntityAndEntityExpansionAreRefused() {
        Case c = corp();
        String valid = SamlTestIdp.serialise(signed(c.spec()));
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + valid.replace(c.spec().nameId, "&x;");
        refused(post(c, xxe), "saml_invalid", c.spec());

        Case d = corp();
        String laughs = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"lol\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">"
                + "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
                + SamlTestIdp.serialise(signed(d.spec())).replace(d.spec().nameId, "&c;");
        refused(post(d, laughs), "saml_invalid", d.spec());

        Case e = corp();
        refused(post(e, "<!DOCTYPE Response>" + SamlTestIdp.serialise(signed(e.spec()))), "saml_invalid", e.spec());
    }

    // ---- addressing, audience, issuer, time --------------------------------------------------

    @Test
    void wrongDestination() {
        refusedWith("destination_invalid", s -> s.destination = "https://elsewhere.example/acs");
    }

    @Test
    void wrongRecipient() {
        refusedWith("destination_invalid", s -> s.recipient = "https://elsewhere.example/acs");
    }

    @Test
    void missingRecipient() {
        refusedWith("destination_invalid", s -> s.recipient = null);
    }

    @Test
    void wrongAudience() {
        refusedWith("audience_invalid", s -> s.audience = "https://other-sp.example");
    }

    @Test
    void wrongIssuer() {
        refusedWith("issuer_invalid", s -> s.issuer = TestIdp.PORTAL_IDP);
    }

    @Test
    void expired() {
        refusedWith("token_expired", s -> {
            s.notOnOrAfter = Instant.now().minusSeconds(120);
            s.subjectNotOnOrAfter = Instant.now().minusSeconds(120);
        });
    }

    @Test
    void expiredSubjectConfirmation() {
        refusedWith("token_expired", s -> s.subjectNotOnOrAfter = Instant.now().minusSeconds(120));
    }

    @Test
    void notYetValid() {
        refusedWith("token_not_yet_valid", s -> s.notBefore = Instant.now().plusSeconds(600));
    }

    @Test
    void statusNotSuccess() {
        refusedWith("status_not_success", s -> s.status = "urn:oasis:names:tc:SAML:2.0:status:Requester");
    }

    // ---- InResponseTo, replay, unsolicited ----------------------------------------------------

    @Test
    void inResponseToUnknown() {
        refusedWith("in_response_to_invalid", s -> s.answering("_never-asked"));
    }

    @Test
    void inResponseToMissingFromTheSubjectConfirmation() {
        refusedWith("in_response_to_invalid", s -> {
            s.subjectInResponseToSet = true;
            s.subjectInResponseTo = null;
        });
    }

    @Test
    void inResponseToReused() {
        Case c = corp();
        assertEquals(302, post(c, signed(c.spec())).statusCode());
        ResponseSpec again = new ResponseSpec(SamlBrowser.acs("corp"), TestIdp.SP_ENTITY_ID, TestIdp.CORP_IDP)
                .answering(c.started().requestId());
        refused(post(c, signed(again)), "in_response_to_invalid", again);
    }

    @Test
    void replayedAssertionId() {
        Case first = corp();
        assertEquals(302, post(first, signed(first.spec())).statusCode());
        Case second = corp();
        second.spec().assertionId = first.spec().assertionId;
        second.spec().nameId = "replay-" + UUID.randomUUID();
        refused(post(second, signed(second.spec())), "replayed", second.spec());
    }

    @Test
    void replayedUnsolicitedResponse() {
        ResponseSpec spec = new ResponseSpec(SamlBrowser.acs("portal"), TestIdp.SP_ENTITY_ID, TestIdp.PORTAL_IDP);
        spec.attribute("username", SamlSignOnRoundTripTest.uniqueName());
        String encoded = SamlTestIdp.base64(signed(spec));
        assertEquals(302, SamlBrowser.post("/auth/portal/return", encoded, null, null).statusCode());
        Response again = SamlBrowser.post("/auth/portal/return", encoded, null, null);
        assertNotEquals(302, again.statusCode());
        again.then().body("error", Matchers.equalTo("replayed"));
        assertNull(again.getCookie("community_session"));
    }

    @Test
    void unsolicitedWhenNotAllowed() {
        ResponseSpec spec = new ResponseSpec(SamlBrowser.acs("corp"), TestIdp.SP_ENTITY_ID, TestIdp.CORP_IDP);
        Response response = SamlBrowser.post("/auth/corp/return", SamlTestIdp.base64(signed(spec)), "/topic/1", null);
        refused(response, "unsolicited_not_allowed", spec);
    }

    @Test
    void oversizedPost() {
        Case c = corp();
        String huge = SamlTestIdp.base64(SamlTestIdp.serialise(signed(c.spec())) + "<!--" + "x".repeat(70_000) + "-->");
        assertTrue(huge.length() > 64 * 1024);
        Response response = SamlBrowser.post("/auth/corp/return", huge, c.started().relayState(),
                c.started().stateCookie());
        assertEquals(413, response.statusCode(), response.asString());
        assertEquals("token_too_large", response.jsonPath().getString("error"));
        assertNull(response.getCookie("community_session"));
        assertEquals(0, db.sessionsFor(c.spec().nameId));
    }

    // ---- encryption ------------------------------------------------------------------------

    @Test
    void encryptedAssertionIsDecryptedWithTheSpKey() throws Exception {
        Case c = corp();
        Document document = signed(c.spec());
        KeyGenerator aes = KeyGenerator.getInstance("AES");
        aes.init(128);
        XMLEncryptionUtil.encryptElement(new QName(SamlTestIdp.A, "Assertion", "saml"), document,
                SamlTestIdp.decode(spKey).getPublic(), aes.generateKey(), 128,
                new QName(SamlTestIdp.A, "EncryptedAssertion", "saml"), true);
        assertEquals(0, document.getElementsByTagNameNS(SamlTestIdp.A, "Assertion").getLength());
        Response response = post(c, document);
        assertEquals(302, response.statusCode(), response.asString());
        GatewayClient.session(response.getCookie("community_session")).then().statusCode(200)
                .body("externalId", Matchers.equalTo(c.spec().nameId));
    }
}
