package org.communitysso.gateway.connector.saml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.crypto.KeyGenerator;
import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilderFactory;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ExternalIdentity;
import org.communitysso.gateway.connector.IdpLogoutReceiver;
import org.communitysso.gateway.connector.IdpLogoutReceiver.IdpLogout;
import org.communitysso.gateway.connector.IdpLogoutReceiver.LogoutMessage;
import org.communitysso.gateway.connector.MetadataPublisher;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.identity.UserRecord;
import org.communitysso.gateway.identity.UserRecordNormaliser;
import org.communitysso.gateway.testing.ConnectorConfigs;
import org.communitysso.gateway.testing.InMemoryReplayGuard;
import org.communitysso.gateway.testing.MovableTimeSource;
import org.communitysso.gateway.testing.SamlTestIdp;
import org.communitysso.gateway.testing.SamlTestIdp.ResponseSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.keycloak.saml.processing.core.util.XMLEncryptionUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The saml2 connector on its own (no Quarkus, no database): keys and
 * certificates this test generates, Responses signed by {@link SamlTestIdp},
 * the AuthnRequest it sends, a table of refused answers each with its reason
 * code, IdP-initiated logout and the SP metadata.
 */
class SamlConnectorTest {

    /** What the edge hands the connector as the value its IdP must echo. */
    private static final String EDGE_STATE = "edge-state-" + UUID.randomUUID();

    static final String BASE = "https://community.example.com";
    static final String SP_ENTITY_ID = BASE + "/saml";
    static final String CORP_IDP = "https://idp.corp.test/saml";
    static final String PORTAL_IDP = "https://idp.portal.test/saml";
    static final String CORP_SSO = "https://idp.corp.test/sso?tenant=community";
    static final String CORP_SLO = "https://idp.corp.test/slo";
    static final String PORTAL_SSO = "https://idp.portal.test/sso";
    /** What the edge hands {@code start} as the gateway's return URL, and where answers must be addressed. */
    static final String CORP_ACS = BASE + "/auth/corp/return";
    static final String PORTAL_ACS = BASE + "/auth/portal/return";
    static final String SHARED_ACS = BASE + "/auth/saml/return";
    static final String CORP_SLO_ENDPOINT = BASE + "/auth/corp/saml/slo";

    static KeyPair idp;
    static X509Certificate idpCertificate;
    static KeyPair rogue;
    static X509Certificate rogueCertificate;
    static KeyPair sp;
    static X509Certificate spCertificate;

    InMemoryReplayGuard replay;
    MovableTimeSource time;
    Map<String, Connector> connectors;

    @BeforeAll
    static void keys() {
        idp = SamlTestIdp.rsa();
        idpCertificate = SamlTestIdp.selfSigned(idp, "idp");
        rogue = SamlTestIdp.rsa();
        rogueCertificate = SamlTestIdp.selfSigned(rogue, "idp");
        sp = SamlTestIdp.rsa();
        spCertificate = SamlTestIdp.selfSigned(sp, "community");
    }

    @BeforeEach
    void build() {
        replay = new InMemoryReplayGuard();
        time = new MovableTimeSource();
        String c = "gateway.connectors.";
        Map<String, String> p = new HashMap<>();
        // corp: SP-initiated only, redirect binding, signed requests, an SP key (decryption, SLO answers)
        p.put(c + "corp.type", "saml2");
        p.put(c + "corp.saml.idp-entity-id", CORP_IDP);
        p.put(c + "corp.saml.sso-url", CORP_SSO);
        p.put(c + "corp.saml.slo-url", CORP_SLO);
        p.put(c + "corp.saml.idp-certificate", SamlTestIdp.pem(idpCertificate));
        p.put(c + "corp.saml.sp-entity-id", SP_ENTITY_ID);
        p.put(c + "corp.saml.sign-requests", "true");
        p.put(c + "corp.saml.sp-private-key", SamlTestIdp.privatePem(sp));
        p.put(c + "corp.saml.sp-certificate", SamlTestIdp.pem(spCertificate));
        // portal: IdP-initiated allowed, POST binding, unsigned requests, SHA-1 accepted, no SP key
        p.put(c + "portal.type", "saml2");
        p.put(c + "portal.saml.idp-entity-id", PORTAL_IDP);
        p.put(c + "portal.saml.sso-url", PORTAL_SSO);
        p.put(c + "portal.saml.idp-certificate", SamlTestIdp.pem(idpCertificate));
        p.put(c + "portal.saml.sp-entity-id", SP_ENTITY_ID);
        p.put(c + "portal.saml.binding", "post");
        p.put(c + "portal.saml.allow-idp-initiated", "true");
        p.put(c + "portal.saml.signature-algorithm", "sha1");
        connectors = ConnectorConfigs.build(p, List.of(new SamlConnectorFactory(replay, time, null)));
    }

    // ---- the one place that speaks the SPI ------------------------------------------------------

    Connector corp() {
        return connectors.get("corp");
    }

    Connector portal() {
        return connectors.get("portal");
    }

    /** A sign-on started at {@code connector}: where it sends the member and what it keeps. */
    record Started(Connector connector, Connector.SignOnStart start) {
        String requestId() {
            return start.protocolData().get("requestId");
        }

        /** The answer as the IdP posts it to the return URL, for this sign-on (the edge found it by RelayState). */
        Connector.Callback answer(String samlResponse) {
            return new Connector.Callback(Map.of("SAMLResponse", samlResponse, "RelayState", EDGE_STATE),
                    start.protocolData(), true, BASE);
        }
    }

    static Started start(Connector connector, String returnUrl, boolean forceLogin) {
        return new Started(connector, connector.start(new Connector.SignOnRequest(returnUrl, forceLogin, EDGE_STATE)));
    }

    /** An answer with no sign-on started here (IdP-initiated, or a RelayState that names none). */
    static Connector.Callback unsolicited(String samlResponse, String relayState) {
        Map<String, String> parameters = new HashMap<>();
        parameters.put("SAMLResponse", samlResponse);
        if (relayState != null) {
            parameters.put("RelayState", relayState);
        }
        return new Connector.Callback(parameters, Map.of(), false, BASE);
    }

    static Document signed(ResponseSpec spec) {
        return SamlTestIdp.signedAssertion(spec, idp, idpCertificate);
    }

    static String encoded(Document document) {
        return SamlTestIdp.base64(document);
    }

    static String refusal(Connector connector, Connector.Callback callback) {
        return assertThrows(GatewayException.class, () -> connector.complete(callback), "accepted").reason().code();
    }

    /** A started corp sign-on and a valid answer to it; a refusal spoils one thing. */
    static final class Case {
        final Connector connector;
        final MovableTimeSource time;
        final Started started;
        final ResponseSpec spec;

        Case(Connector connector, MovableTimeSource time) {
            this.connector = connector;
            this.time = time;
            this.started = start(connector, CORP_ACS, false);
            this.spec = new ResponseSpec(CORP_ACS, SP_ENTITY_ID, CORP_IDP).answering(started.requestId());
            spec.attribute("uid", "kim");
        }

        Connector.Callback answer(Document document) {
            return started.answer(encoded(document));
        }

        Connector.Callback answer(String xml) {
            return started.answer(SamlTestIdp.base64(xml));
        }

        Connector.Callback signedAnswer() {
            return answer(signed(spec));
        }
    }

    // ---- start: the AuthnRequest ----------------------------------------------------------------

    static Map<String, String> rawQuery(URI uri) {
        Map<String, String> raw = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            raw.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return raw;
    }

    static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }

    static Element parseXml(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
                .getDocumentElement();
    }

    static String text(Element parent, String ns, String name) {
        NodeList nodes = parent.getElementsByTagNameNS(ns, name);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent();
    }

    @Test
    void redirectBindingSendsASignedAuthnRequestAndEchoesExactlyTheEdgeState() throws Exception {
        Started started = start(corp(), CORP_ACS, false);
        URI redirect = started.start().redirect();
        assertNull(started.start().formPost(), "redirect binding: no form");
        assertTrue(redirect.toString().startsWith(CORP_SSO + "&SAMLRequest="), redirect.toString());
        Map<String, String> raw = rawQuery(redirect);
        assertEquals(List.of("tenant", "SAMLRequest", "RelayState", "SigAlg", "Signature"), List.copyOf(raw.keySet()));
        assertEquals(EDGE_STATE, decode(raw.get("RelayState")), "RelayState is exactly the edge's state");
        assertEquals(Optional.of("RelayState"), corp().stateParameter());

        Element request = parseXml(SamlTestIdp.inflate(decode(raw.get("SAMLRequest"))));
        assertEquals("AuthnRequest", request.getLocalName());
        assertEquals(SamlTestIdp.P, request.getNamespaceURI());
        assertEquals(started.requestId(), request.getAttribute("ID"), "the request id is kept to check InResponseTo");
        assertEquals(CORP_SSO, request.getAttribute("Destination"));
        assertEquals(CORP_ACS, request.getAttribute("AssertionConsumerServiceURL"));
        assertEquals("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", request.getAttribute("ProtocolBinding"));
        assertEquals(SP_ENTITY_ID, text(request, SamlTestIdp.A, "Issuer"));
        assertFalse(request.hasAttribute("ForceAuthn"));

        // HTTP-Redirect binding signature: over SAMLRequest, RelayState and SigAlg as sent, with the SP key
        assertEquals(SamlTestIdp.RSA_SHA256, decode(raw.get("SigAlg")));
        String signedPart = "SAMLRequest=" + raw.get("SAMLRequest") + "&RelayState=" + raw.get("RelayState")
                + "&SigAlg=" + raw.get("SigAlg");
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(sp.getPublic());
        verifier.update(signedPart.getBytes(StandardCharsets.US_ASCII));
        assertTrue(verifier.verify(Base64.getDecoder().decode(decode(raw.get("Signature")))),
                "the query signature verifies with the SP certificate");

        Started again = start(corp(), CORP_ACS, false);
        assertFalse(started.requestId().equals(again.requestId()), "each sign-on has its own request id");
    }

    @Test
    void forceLoginAsksTheIdpForForceAuthn() throws Exception {
        Started started = start(corp(), CORP_ACS, true);
        Element request = parseXml(SamlTestIdp.inflate(decode(rawQuery(started.start().redirect()).get("SAMLRequest"))));
        assertEquals("true", request.getAttribute("ForceAuthn"));
    }

    @Test
    void postBindingAnswersAFormWithTheAuthnRequestAndTheEdgeState() throws Exception {
        Started started = start(portal(), PORTAL_ACS, true);
        Connector.FormPost form = started.start().formPost();
        assertNotNull(form, "POST binding: the edge answers an auto-submitting form");
        assertEquals(URI.create(PORTAL_SSO), form.action());
        assertEquals(EDGE_STATE, form.fields().get("RelayState"));
        Element request = parseXml(new String(Base64.getDecoder().decode(form.fields().get("SAMLRequest")),
                StandardCharsets.UTF_8));
        assertEquals("AuthnRequest", request.getLocalName());
        assertEquals(started.requestId(), request.getAttribute("ID"));
        assertEquals(PORTAL_SSO, request.getAttribute("Destination"));
        assertEquals(PORTAL_ACS, request.getAttribute("AssertionConsumerServiceURL"));
        assertEquals("true", request.getAttribute("ForceAuthn"));
        assertEquals(0, request.getElementsByTagNameNS(SamlTestIdp.DS, "Signature").getLength(),
                "portal does not sign its requests");
    }

    // ---- complete: the main path ----------------------------------------------------------------

    @Test
    void solicitedAnswerGivesTheSubjectAndItsAttributes() {
        Case c = new Case(corp(), time);
        c.spec.attribute("mail", "kim@corp.test");
        c.spec.attribute("memberOf", "staff", "admins");
        ExternalIdentity identity = corp().complete(c.signedAnswer());
        assertEquals("corp", identity.connectorId());
        assertEquals(c.spec.nameId, identity.claims().get("nameId"));
        assertEquals("kim", identity.claims().get("username"), "uid fills username");
        assertEquals("kim@corp.test", identity.claims().get("email"), "mail fills email");
        assertEquals(List.of("staff", "admins"), identity.claims().get("groups"));
        assertNotNull(identity.idpSessionId(), "kept for single logout");
        assertNotNull(identity.signOffHandle());
        assertNull(identity.requestedTarget(), "a solicited answer never names its own target");
        UserRecord record = new UserRecordNormaliser().normalise(corp(), identity);
        assertEquals(c.spec.nameId, record.id());
        assertEquals("kim", record.username());
        assertEquals("kim@corp.test", record.email());
    }

    @Test
    void anAnswerAddressedToTheSharedSamlReturnUrlIsAccepted() {
        Case c = new Case(corp(), time);
        c.spec.destination = SHARED_ACS;
        c.spec.recipient = SHARED_ACS;
        assertEquals(c.spec.nameId, corp().complete(c.signedAnswer()).claims().get("nameId"));
    }

    @Test
    void aSignedResponseCoversItsUnsignedAssertion() {
        Case c = new Case(corp(), time);
        Document document = SamlTestIdp.parse(c.spec.xml());
        SamlTestIdp.sign(document.getDocumentElement(), idp, idpCertificate);
        assertEquals(c.spec.nameId, corp().complete(c.answer(document)).claims().get("nameId"));
    }

    @Test
    void anEncryptedAssertionIsDecryptedWithTheSpKey() throws Exception {
        Case c = new Case(corp(), time);
        Document document = signed(c.spec);
        KeyGenerator aes = KeyGenerator.getInstance("AES");
        aes.init(128);
        XMLEncryptionUtil.encryptElement(new QName(SamlTestIdp.A, "Assertion", "saml"), document, sp.getPublic(),
                aes.generateKey(), 128, new QName(SamlTestIdp.A, "EncryptedAssertion", "saml"), true);
        assertEquals(0, document.getElementsByTagNameNS(SamlTestIdp.A, "Assertion").getLength());
        assertEquals(c.spec.nameId, corp().complete(c.answer(document)).claims().get("nameId"));
    }

    @Test
    void idpInitiatedAnswerIsAcceptedWhereAllowedAndNamesItsTarget() {
        ResponseSpec spec = new ResponseSpec(PORTAL_ACS, SP_ENTITY_ID, PORTAL_IDP).attribute("username", "lee");
        ExternalIdentity identity = portal().complete(unsolicited(encoded(signed(spec)), "/topic/9"));
        assertEquals("portal", identity.connectorId());
        assertEquals(spec.nameId, identity.claims().get("nameId"));
        assertEquals("/topic/9", identity.requestedTarget(), "the edge decides whether to follow it");
    }

    @Test
    void rsaSha1IsAcceptedWhereConfigured() {
        ResponseSpec spec = new ResponseSpec(PORTAL_ACS, SP_ENTITY_ID, PORTAL_IDP);
        Document document = SamlTestIdp.parse(spec.xml());
        SamlTestIdp.sign(SamlTestIdp.assertion(document), idp, idpCertificate, SamlTestIdp.RSA_SHA1, SamlTestIdp.SHA1);
        assertEquals(spec.nameId, portal().complete(unsolicited(encoded(document), null)).claims().get("nameId"));
    }

    @Test
    void recognisesOnlyItsOwnIdpsAnswers() {
        String fromCorp = encoded(signed(new ResponseSpec(SHARED_ACS, SP_ENTITY_ID, CORP_IDP)));
        String fromPortal = encoded(signed(new ResponseSpec(SHARED_ACS, SP_ENTITY_ID, PORTAL_IDP)));
        assertTrue(corp().recognises(unsolicited(fromCorp, null)));
        assertFalse(corp().recognises(unsolicited(fromPortal, null)));
        assertTrue(portal().recognises(unsolicited(fromPortal, null)));
        assertFalse(portal().recognises(unsolicited("not base64 %%", null)));
    }

    // ---- complete: refusals -------------------------------------------------------------------

    static Stream<Arguments> refusals() {
        return Stream.of(
                // signatures
                refused("unsigned", "signature_invalid", c -> c.answer(c.spec.xml())),
                refused("signed by another key", "signature_invalid",
                        c -> c.answer(SamlTestIdp.signedAssertion(c.spec, rogue, rogueCertificate))),
                refused("attribute tampered after signing", "signature_invalid", c -> {
                    c.spec.attribute("customRoles", "5");
                    Document document = signed(c.spec);
                    document.getElementsByTagNameNS(SamlTestIdp.A, "AttributeValue").item(1).setTextContent("1");
                    return c.answer(document);
                }),
                refused("NameID tampered after signing", "signature_invalid", c -> {
                    Document document = signed(c.spec);
                    document.getElementsByTagNameNS(SamlTestIdp.A, "NameID").item(0).setTextContent("admin@corp.test");
                    return c.answer(document);
                }),
                refused("RSA-SHA1 when not configured", "algorithm_not_allowed", c -> {
                    Document document = SamlTestIdp.parse(c.spec.xml());
                    SamlTestIdp.sign(SamlTestIdp.assertion(document), idp, idpCertificate, SamlTestIdp.RSA_SHA1,
                            SamlTestIdp.SHA1);
                    return c.answer(document);
                }),
                refused("two assertions, both signed", "saml_invalid", c -> {
                    Document document = signed(c.spec);
                    ResponseSpec other = new ResponseSpec(CORP_ACS, SP_ENTITY_ID, CORP_IDP)
                            .answering(c.started.requestId());
                    document.getDocumentElement().appendChild(
                            document.importNode(SamlTestIdp.assertion(signed(other)), true));
                    return c.answer(document);
                }),
                // addressing, audience, issuer
                refused("wrong Audience", "audience_invalid", spoiled(s -> s.audience = "https://other-sp.example")),
                refused("wrong Destination", "destination_invalid",
                        spoiled(s -> s.destination = "https://elsewhere.example/acs")),
                refused("Destination of another connector", "destination_invalid",
                        spoiled(s -> s.destination = PORTAL_ACS)),
                refused("wrong Recipient", "destination_invalid",
                        spoiled(s -> s.recipient = "https://elsewhere.example/acs")),
                refused("no Recipient", "destination_invalid", spoiled(s -> s.recipient = null)),
                refused("wrong Issuer", "issuer_invalid", spoiled(s -> s.issuer = PORTAL_IDP)),
                // time
                refused("expired", "token_expired", spoiled(s -> {
                    s.notOnOrAfter = Instant.now().minusSeconds(120);
                    s.subjectNotOnOrAfter = Instant.now().minusSeconds(120);
                })),
                refused("subject confirmation expired", "token_expired",
                        spoiled(s -> s.subjectNotOnOrAfter = Instant.now().minusSeconds(120))),
                refused("presented after it expired", "token_expired", c -> {
                    c.time.advance(Duration.ofMinutes(7));
                    return c.signedAnswer();
                }),
                refused("not yet valid", "token_not_yet_valid", spoiled(s -> s.notBefore = Instant.now().plusSeconds(600))),
                // status
                refused("status not success", "status_not_success",
                        spoiled(s -> s.status = "urn:oasis:names:tc:SAML:2.0:status:Requester")),
                // InResponseTo and unsolicited answers
                refused("InResponseTo a request never started", "in_response_to_invalid",
                        spoiled(s -> s.answering("_never-asked"))),
                refused("InResponseTo another sign-on's request", "in_response_to_invalid", c -> {
                    c.spec.answering(start(c.connector, CORP_ACS, false).requestId());
                    return c.signedAnswer();
                }),
                refused("no InResponseTo in the subject confirmation", "in_response_to_invalid", spoiled(s -> {
                    s.subjectInResponseToSet = true;
                    s.subjectInResponseTo = null;
                })),
                refused("InResponseTo with no sign-on started here", "in_response_to_invalid",
                        c -> unsolicited(encoded(signed(c.spec)), EDGE_STATE)),
                refused("unsolicited when not allowed", "unsolicited_not_allowed",
                        c -> unsolicited(encoded(signed(c.spec.answering(null))), "/topic/1")),
                refused("replayed assertion id", "replayed", c -> {
                    Case first = new Case(c.connector, c.time);
                    assertEquals(first.spec.nameId, c.connector.complete(first.signedAnswer()).claims().get("nameId"));
                    c.spec.assertionId = first.spec.assertionId;
                    return c.signedAnswer();
                }),
                // XML and encoding
                refused("DOCTYPE with an external entity (XXE)", "saml_invalid", c -> c.answer(
                        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                                + SamlTestIdp.serialise(signed(c.spec)).replace(c.spec.nameId, "&x;"))),
                refused("DOCTYPE with entity expansion", "saml_invalid", c -> c.answer(
                        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"lol\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;\">]>"
                                + SamlTestIdp.serialise(signed(c.spec)).replace(c.spec.nameId, "&b;"))),
                refused("a bare DOCTYPE", "saml_invalid",
                        c -> c.answer("<!DOCTYPE Response>" + SamlTestIdp.serialise(signed(c.spec)))),
                refused("not base64", "saml_invalid", c -> c.started.answer("%%% not base64 %%%")),
                refused("not XML", "saml_invalid", c -> c.answer("this is not XML")),
                refused("not a Response", "saml_invalid", c -> c.answer(SamlTestIdp.serialise(
                        SamlTestIdp.assertion(signed(c.spec))))),
                refused("no SAMLResponse", "token_missing", c -> new Connector.Callback(Map.of("RelayState", EDGE_STATE),
                        c.started.start().protocolData(), true, BASE)),
                refused("oversized", "token_too_large", c -> c.answer(SamlTestIdp.serialise(signed(c.spec))
                        + "<!--" + "x".repeat(70_000) + "-->")));
    }

    static Arguments refused(String name, String reason, Function<Case, Connector.Callback> answer) {
        return Arguments.of(name, reason, answer);
    }

    /** A signed answer whose spec has one thing changed before signing. */
    static Function<Case, Connector.Callback> spoiled(java.util.function.Consumer<ResponseSpec> spoil) {
        return c -> {
            spoil.accept(c.spec);
            return c.signedAnswer();
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusedAnswer(String name, String reason, Function<Case, Connector.Callback> answer) {
        Case c = new Case(corp(), time);
        Connector.Callback callback = answer.apply(c);
        assertEquals(reason, refusal(corp(), callback));
    }

    // ---- IdP-initiated single logout (IdpLogoutReceiver) ----------------------------------------

    static String logoutRequestXml(String id, String issuer, String nameId, String sessionIndex, Instant issued) {
        return "<samlp:LogoutRequest xmlns:samlp=\"" + SamlTestIdp.P + "\" xmlns:saml=\"" + SamlTestIdp.A
                + "\" ID=\"" + id + "\" Version=\"2.0\" IssueInstant=\"" + issued + "\" Destination=\""
                + CORP_SLO_ENDPOINT + "\"><saml:Issuer>" + issuer + "</saml:Issuer><saml:NameID>" + nameId
                + "</saml:NameID>" + (sessionIndex == null ? "" : "<samlp:SessionIndex>" + sessionIndex
                        + "</samlp:SessionIndex>") + "</samlp:LogoutRequest>";
    }

    IdpLogout receive(String rawQuery) {
        return ((IdpLogoutReceiver) corp()).receiveLogout(new LogoutMessage(rawQuery, Map.of(), BASE));
    }

    String logoutRefusal(String rawQuery) {
        return assertThrows(GatewayException.class, () -> receive(rawQuery), "accepted").reason().code();
    }

    @Test
    void aSignedLogoutRequestNamesTheSessionsOfItsNameIdAndSessionIndex() throws Exception {
        Case c = new Case(corp(), time);
        ExternalIdentity signedOn = corp().complete(c.signedAnswer());
        assertEquals("saml/slo", ((IdpLogoutReceiver) corp()).logoutPath());

        IdpLogout logout = receive(SamlTestIdp.redirectQuery("SAMLRequest", logoutRequestXml("_l1", CORP_IDP,
                c.spec.nameId, c.spec.sessionIndex, Instant.now()), "rs-1", idp));
        assertEquals(List.of(signedOn.idpSessionId()), logout.idpSessionIds(), "exactly the session it names");
        assertNull(logout.idpSessionPrefix());
        assertTrue(logout.frontChannel());
        // the member goes back to the IdP with our LogoutResponse to its request
        assertTrue(logout.redirect().toString().startsWith(CORP_SLO + "?SAMLResponse="), logout.redirect().toString());
        Map<String, String> raw = rawQuery(logout.redirect());
        assertEquals("rs-1", decode(raw.get("RelayState")));
        Element answer = parseXml(SamlTestIdp.inflate(decode(raw.get("SAMLResponse"))));
        assertEquals("LogoutResponse", answer.getLocalName());
        assertEquals("_l1", answer.getAttribute("InResponseTo"));

        // without a SessionIndex it names every session of the NameID
        IdpLogout all = receive(SamlTestIdp.redirectQuery("SAMLRequest", logoutRequestXml("_l2", CORP_IDP,
                c.spec.nameId, null, Instant.now()), null, idp));
        assertTrue(all.idpSessionIds().isEmpty());
        assertTrue(signedOn.idpSessionId().startsWith(all.idpSessionPrefix()));
        Case other = new Case(corp(), time);
        assertFalse(corp().complete(other.signedAnswer()).idpSessionId().startsWith(all.idpSessionPrefix()),
                "another member's sessions are not named");
    }

    @Test
    void aLogoutRequestIsRefusedUnlessSignedByTheIdpFreshAndNew() {
        String nameId = "member-" + UUID.randomUUID();
        assertEquals("signature_invalid", logoutRefusal(SamlTestIdp.redirectQuery("SAMLRequest",
                logoutRequestXml("_u1", CORP_IDP, nameId, null, Instant.now()), "rs", null)), "unsigned");
        assertEquals("signature_invalid", logoutRefusal(SamlTestIdp.redirectQuery("SAMLRequest",
                logoutRequestXml("_u2", CORP_IDP, nameId, null, Instant.now()), "rs", rogue)), "another key");
        assertEquals("issuer_invalid", logoutRefusal(SamlTestIdp.redirectQuery("SAMLRequest",
                logoutRequestXml("_u3", PORTAL_IDP, nameId, null, Instant.now()), "rs", idp)), "another IdP");
        assertEquals("token_expired", logoutRefusal(SamlTestIdp.redirectQuery("SAMLRequest",
                logoutRequestXml("_u4", CORP_IDP, nameId, null, Instant.now().minus(Duration.ofMinutes(30))), "rs",
                idp)), "too old");
        String once = SamlTestIdp.redirectQuery("SAMLRequest", logoutRequestXml("_u5", CORP_IDP, nameId, null,
                Instant.now()), "rs", idp);
        assertEquals(List.of(), receive(once).idpSessionIds());
        assertEquals("replayed", logoutRefusal(once), "the same LogoutRequest twice");
    }

    // ---- SP metadata (MetadataPublisher) --------------------------------------------------------

    @Test
    void metadataNamesTheEntityIdAcsAndSloUrlsAndTheSpCertificate() throws Exception {
        MetadataPublisher publisher = (MetadataPublisher) corp();
        assertEquals("saml/metadata", publisher.metadataPath());
        MetadataPublisher.Metadata metadata = publisher.metadata(BASE);
        assertEquals("application/samlmetadata+xml", metadata.mediaType());
        assertEquals("corp-sp-metadata.xml", metadata.fileName());
        Element root = parseXml(metadata.body());
        String md = "urn:oasis:names:tc:SAML:2.0:metadata";
        assertEquals("EntityDescriptor", root.getLocalName());
        assertEquals(SP_ENTITY_ID, root.getAttribute("entityID"));
        Element descriptor = (Element) root.getElementsByTagNameNS(md, "SPSSODescriptor").item(0);
        assertEquals("true", descriptor.getAttribute("AuthnRequestsSigned"));
        Element acs = (Element) root.getElementsByTagNameNS(md, "AssertionConsumerService").item(0);
        assertEquals(CORP_ACS, acs.getAttribute("Location"));
        assertEquals("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", acs.getAttribute("Binding"));
        NodeList slo = root.getElementsByTagNameNS(md, "SingleLogoutService");
        assertEquals(2, slo.getLength());
        for (int i = 0; i < slo.getLength(); i++) {
            assertEquals(CORP_SLO_ENDPOINT, ((Element) slo.item(i)).getAttribute("Location"));
        }
        assertEquals(Base64.getEncoder().encodeToString(spCertificate.getEncoded()),
                text(root, SamlTestIdp.DS, "X509Certificate").replaceAll("\\s", ""));

        Element portal = parseXml(((MetadataPublisher) portal()).metadata(BASE).body());
        assertEquals(0, portal.getElementsByTagNameNS(md, "KeyDescriptor").getLength(), "portal has no SP key");
        assertEquals(PORTAL_ACS, ((Element) portal.getElementsByTagNameNS(md, "AssertionConsumerService").item(0))
                .getAttribute("Location"));
    }
}
