package org.communitysso.gateway.connector.saml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.crypto.dsig.XMLSignature;
import javax.xml.crypto.dsig.XMLSignatureFactory;
import javax.xml.crypto.dsig.dom.DOMValidateContext;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ExternalIdentity;
import org.communitysso.gateway.identity.UserRecord;
import org.communitysso.gateway.identity.UserRecordNormaliser;
import org.communitysso.gateway.testing.ConnectorConfigs;
import org.communitysso.gateway.testing.InMemoryReplayGuard;
import org.communitysso.gateway.testing.MovableTimeSource;
import org.communitysso.gateway.testing.SamlTestIdp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The saml2 connector built the way start-up builds it, without Quarkus: what an
 * ADFS or Entra ID assertion becomes, {@code ForceAuthn} for {@code prompt=login},
 * and requests signed with RSA-SHA512.
 */
class SamlClaimNamesAndRequestsTest {

    private static final String BASE = "https://community.example.com";
    private static final String IDP = "http://adfs.corp.example/adfs/services/trust";
    private static final String WS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/";

    static KeyPair idpKeys;
    static X509Certificate idpCertificate;
    static KeyPair spKeys;
    static X509Certificate spCertificate;

    @BeforeAll
    static void keys() {
        idpKeys = SamlTestIdp.rsa();
        idpCertificate = SamlTestIdp.selfSigned(idpKeys, "adfs");
        spKeys = SamlTestIdp.rsa();
        spCertificate = SamlTestIdp.selfSigned(spKeys, "community");
    }

    static Map<String, String> connector(String id, Map<String, String> extra) {
        String c = "gateway.connectors." + id + ".";
        Map<String, String> p = new HashMap<>();
        p.put(c + "type", "saml2");
        p.put(c + "saml.idp-entity-id", IDP);
        p.put(c + "saml.sso-url", "https://adfs.corp.example/adfs/ls/");
        p.put(c + "saml.idp-certificate", SamlTestIdp.pem(idpCertificate));
        p.put(c + "saml.sp-entity-id", BASE + "/saml");
        extra.forEach((k, v) -> p.put(c + k, v));
        return p;
    }

    static Connector build(String id, Map<String, String> extra) {
        return ConnectorConfigs.build(connector(id, extra), List.of(new SamlConnectorFactory(new InMemoryReplayGuard(),
                new MovableTimeSource(), null))).get(id);
    }

    /** Signs an assertion with the given attributes, as the IdP would, and has the connector complete it. */
    static ExternalIdentity answer(Connector connector, Map<String, List<String>> attributes) {
        Connector.SignOnStart start = connector.start(new Connector.SignOnRequest(
                BASE + "/auth/" + connector.id() + "/return", false, "relay-1"));
        SamlTestIdp.ResponseSpec spec = new SamlTestIdp.ResponseSpec(BASE + "/auth/" + connector.id() + "/return",
                BASE + "/saml", IDP).answering(start.protocolData().get("requestId"));
        attributes.forEach((name, values) -> spec.attribute(name, values.toArray(String[]::new)));
        Document signed = SamlTestIdp.signedAssertion(spec, idpKeys, idpCertificate);
        return connector.complete(new Connector.Callback(Map.of("SAMLResponse", SamlTestIdp.base64(signed),
                "RelayState", "relay-1"), start.protocolData(), true, BASE));
    }

    // ---- ADFS and Entra ID claim types -------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"http://schemas.xmlsoap.org/claims/Group",
            "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
            "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"})
    void claimTypesOfAdfsAndEntraIdFillEmailUsernameAndGroups(String groupClaim) {
        Connector adfs = build("adfs", Map.of("role-mapping.\"Community Moderators\"", "10",
                "role-mapping.5f1a2b3c-0000-4000-8000-000000000001", "11"));
        Map<String, List<String>> attributes = new LinkedHashMap<>();
        attributes.put(WS + "emailaddress", List.of("jane.doe@corp.example"));
        attributes.put(WS + "name", List.of("jdoe"));
        attributes.put(groupClaim, List.of("Domain Users", "Community Moderators",
                "5f1a2b3c-0000-4000-8000-000000000001"));
        ExternalIdentity identity = answer(adfs, attributes);

        UserRecord record = new UserRecordNormaliser().normalise(adfs, identity);
        assertEquals("jane.doe@corp.example", record.email());
        assertEquals("jdoe", record.username());
        assertEquals(List.of("10", "11"), record.customRoles().stream().sorted().toList());
    }

    @Test
    void givenNameSurnameAndUpnCanBeMappedByShortNames() {
        Map<String, List<String>> attributes = new LinkedHashMap<>();
        attributes.put(WS + "givenname", List.of("Jane"));
        attributes.put(WS + "surname", List.of("Doe"));
        attributes.put(WS + "upn", List.of("jdoe@corp.example"));
        Connector byGivenName = build("entra", Map.of("mapping.username", "given_name", "mapping.email", "upn"));
        UserRecord record = new UserRecordNormaliser().normalise(byGivenName, answer(byGivenName, attributes));
        assertEquals("Jane", record.username());
        assertEquals("jdoe@corp.example", record.email());

        Connector bySurname = build("entra2", Map.of("mapping.username", "family_name"));
        assertEquals("Doe", new UserRecordNormaliser().normalise(bySurname, answer(bySurname, attributes)).username());
    }

    @Test
    void withoutAGroupClaimRoleMappingGrantsNothing() {
        Connector adfs = build("adfs", Map.of("role-mapping.\"Community Moderators\"", "10"));
        UserRecord record = new UserRecordNormaliser().normalise(adfs, answer(adfs,
                Map.of("http://schemas.xmlsoap.org/claims/CommonName", List.of("Community Moderators"))));
        assertTrue(record.customRoles() == null || record.customRoles().isEmpty(), "roles: " + record.customRoles());
    }

    // ---- prompt=login ------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"redirect", "post"})
    void promptLoginAsksTheIdpForForceAuthn(String binding) {
        Connector connector = build("corp", Map.of("saml.binding", binding));
        String forced = authnRequest(connector.start(new Connector.SignOnRequest(BASE + "/auth/corp/return", true,
                "s-1")));
        Element request = SamlTestIdp.parse(forced).getDocumentElement();
        assertEquals("AuthnRequest", request.getLocalName());
        assertEquals("true", request.getAttribute("ForceAuthn"));

        String normal = authnRequest(connector.start(new Connector.SignOnRequest(BASE + "/auth/corp/return", false,
                "s-2")));
        assertFalse(SamlTestIdp.parse(normal).getDocumentElement().hasAttribute("ForceAuthn"), normal);
    }

    private static String authnRequest(Connector.SignOnStart start) {
        if (start.formPost() != null) {
            return new String(Base64.getDecoder().decode(start.formPost().fields().get("SAMLRequest")),
                    StandardCharsets.UTF_8);
        }
        return SamlTestIdp.inflate(query(start.redirect()).get("SAMLRequest"));
    }

    // ---- RSA-SHA512 ---------------------------------------------------------------------------

    private static Map<String, String> signedWith(String algorithm, String binding) {
        return Map.of("saml.binding", binding, "saml.sign-requests", "true", "saml.signature-algorithm", algorithm,
                "saml.sp-private-key", SamlTestIdp.privatePem(spKeys), "saml.sp-certificate",
                SamlTestIdp.pem(spCertificate));
    }

    @Test
    void sha512RedirectRequestsCarryItsSigAlgAndASignatureThatVerifies() throws Exception {
        Connector connector = build("corp", signedWith("sha512", "redirect"));
        URI redirect = connector.start(new Connector.SignOnRequest(BASE + "/auth/corp/return", false, "s-1"))
                .redirect();
        String raw = redirect.getRawQuery();
        Map<String, String> query = query(redirect);
        assertEquals("http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", query.get("SigAlg"));

        // the signature covers SAMLRequest, RelayState and SigAlg as sent (SAML bindings 3.4.4.1)
        String signed = raw.substring(0, raw.indexOf("&Signature="));
        Signature verifier = Signature.getInstance("SHA512withRSA");
        verifier.initVerify(spCertificate.getPublicKey());
        verifier.update(signed.getBytes(StandardCharsets.US_ASCII));
        assertTrue(verifier.verify(Base64.getDecoder().decode(query.get("Signature"))), "signature verifies");

        Signature withSha256 = Signature.getInstance("SHA256withRSA");
        withSha256.initVerify(spCertificate.getPublicKey());
        withSha256.update(signed.getBytes(StandardCharsets.US_ASCII));
        assertFalse(withSha256.verify(Base64.getDecoder().decode(query.get("Signature"))), "it is not RSA-SHA256");
    }

    @Test
    void sha512PostRequestsCarryAnXmlSignatureThatVerifies() throws Exception {
        Connector connector = build("corp", signedWith("sha512", "post"));
        String xml = authnRequest(connector.start(new Connector.SignOnRequest(BASE + "/auth/corp/return", false,
                "s-1")));
        Document document = SamlTestIdp.parse(xml);
        document.getDocumentElement().setIdAttribute("ID", true);
        NodeList signatures = document.getElementsByTagNameNS(XMLSignature.XMLNS, "Signature");
        assertEquals(1, signatures.getLength());
        Element method = (Element) document.getElementsByTagNameNS(XMLSignature.XMLNS, "SignatureMethod").item(0);
        assertEquals("http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", method.getAttribute("Algorithm"));

        DOMValidateContext context = new DOMValidateContext(spCertificate.getPublicKey(), signatures.item(0));
        XMLSignature signature = XMLSignatureFactory.getInstance("DOM").unmarshalXMLSignature(context);
        assertTrue(signature.validate(context), "XML signature verifies with the SP certificate");
        assertNotNull(signature.getSignedInfo().getReferences().get(0));
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> parameters = new HashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            parameters.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return parameters;
    }
}
