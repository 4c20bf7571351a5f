package org.communitysso.gateway.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterOutputStream;
import javax.xml.crypto.dsig.CanonicalizationMethod;
import javax.xml.parsers.DocumentBuilderFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.communitysso.gateway.connector.saml.SamlXml;
import org.eclipse.microprofile.config.ConfigProvider;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.keycloak.saml.processing.core.util.XMLSignatureUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * A SAML IdP for tests: generated keys and self-signed certificates, and
 * Responses built and signed the way real IdPs do, with every knob an attack
 * needs. Documents are returned unserialised so tests can tamper after signing.
 */
public final class SamlTestIdp {

    public static final String P = "urn:oasis:names:tc:SAML:2.0:protocol";
    public static final String A = "urn:oasis:names:tc:SAML:2.0:assertion";
    public static final String DS = "http://www.w3.org/2000/09/xmldsig#";
    public static final String RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    public static final String SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256";
    public static final String RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
    public static final String SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1";

    private SamlTestIdp() {
    }

    // ---- keys -------------------------------------------------------------------------------

    public static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static X509Certificate selfSigned(KeyPair keys, String commonName) {
        try {
            X500Name name = new X500Name("CN=" + commonName);
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                    Date.from(now.minusSeconds(3600)), Date.from(now.plusSeconds(365L * 86400)), name, keys.getPublic());
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(X509Certificate certificate) {
        try {
            return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static X509Certificate certificate(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key the TestIdp's SAML IdP signs with (inside a {@code @QuarkusTest}). */
    public static KeyPair idp() {
        return decode(ConfigProvider.getConfig().getValue("test.saml.idp-key", String.class));
    }

    /** The certificate of {@link #idp()}, as configured on the corp and portal connectors. */
    public static X509Certificate idpCertificate() {
        return certificate(ConfigProvider.getConfig().getValue("test.saml.idp-cert", String.class));
    }

    public static String privatePem(KeyPair keys) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** A key pair passed through test config as "private:public" base64. */
    public static String encode(KeyPair keys) {
        return Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded()) + ":"
                + Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
    }

    public static KeyPair decode(String encoded) {
        try {
            String[] parts = encoded.split(":");
            KeyFactory factory = KeyFactory.getInstance("RSA");
            return new KeyPair(factory.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(parts[1]))),
                    factory.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(parts[0]))));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- responses --------------------------------------------------------------------------

    /** What goes into a Response; defaults make a valid one for {@code acs}. */
    public static final class ResponseSpec {
        public String responseId = "_r" + UUID.randomUUID();
        public String assertionId = "_a" + UUID.randomUUID();
        public String destination;
        public String recipient;
        public String audience;
        public String issuer;
        public String inResponseTo;
        public String subjectInResponseTo;
        public boolean subjectInResponseToSet;
        public String nameId = "member-" + UUID.randomUUID();
        public String status = "urn:oasis:names:tc:SAML:2.0:status:Success";
        public Instant notBefore = Instant.now().minusSeconds(30);
        public Instant notOnOrAfter = Instant.now().plusSeconds(300);
        public Instant subjectNotOnOrAfter = Instant.now().plusSeconds(300);
        public String sessionIndex = "_s" + UUID.randomUUID();
        public Map<String, List<String>> attributes = new LinkedHashMap<>();

        public ResponseSpec(String acs, String audience, String issuer) {
            this.destination = acs;
            this.recipient = acs;
            this.audience = audience;
            this.issuer = issuer;
        }

        public ResponseSpec answering(String requestId) {
            this.inResponseTo = requestId;
            return this;
        }

        public ResponseSpec attribute(String name, String... values) {
            attributes.put(name, new ArrayList<>(List.of(values)));
            return this;
        }

        public String xml() {
            String subjectIrt = subjectInResponseToSet ? subjectInResponseTo : inResponseTo;
            StringBuilder attributesXml = new StringBuilder();
            if (!attributes.isEmpty()) {
                attributesXml.append("<saml:AttributeStatement>");
                attributes.forEach((name, values) -> {
                    attributesXml.append("<saml:Attribute Name=\"").append(name).append("\">");
                    values.forEach(v -> attributesXml.append("<saml:AttributeValue>").append(v)
                            .append("</saml:AttributeValue>"));
                    attributesXml.append("</saml:Attribute>");
                });
                attributesXml.append("</saml:AttributeStatement>");
            }
            String now = Instant.now().toString();
            return "<samlp:Response xmlns:samlp=\"" + P + "\" xmlns:saml=\"" + A + "\" ID=\"" + responseId
                    + "\" Version=\"2.0\" IssueInstant=\"" + now + "\""
                    + (destination == null ? "" : " Destination=\"" + destination + "\"")
                    + (inResponseTo == null ? "" : " InResponseTo=\"" + inResponseTo + "\"") + ">"
                    + "<saml:Issuer>" + issuer + "</saml:Issuer>"
                    + "<samlp:Status><samlp:StatusCode Value=\"" + status + "\"/></samlp:Status>"
                    + assertionXml(subjectIrt, attributesXml.toString(), now)
                    + "</samlp:Response>";
        }

        String assertionXml(String subjectIrt, String attributesXml, String now) {
            return "<saml:Assertion xmlns:saml=\"" + A + "\" ID=\"" + assertionId + "\" Version=\"2.0\" IssueInstant=\""
                    + now + "\">"
                    + "<saml:Issuer>" + issuer + "</saml:Issuer>"
                    + "<saml:Subject><saml:NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">"
                    + nameId + "</saml:NameID>"
                    + "<saml:SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">"
                    + "<saml:SubjectConfirmationData NotOnOrAfter=\"" + subjectNotOnOrAfter + "\""
                    + (recipient == null ? "" : " Recipient=\"" + recipient + "\"")
                    + (subjectIrt == null ? "" : " InResponseTo=\"" + subjectIrt + "\"") + "/>"
                    + "</saml:SubjectConfirmation></saml:Subject>"
                    + "<saml:Conditions NotBefore=\"" + notBefore + "\" NotOnOrAfter=\"" + notOnOrAfter + "\">"
                    + "<saml:AudienceRestriction><saml:Audience>" + audience + "</saml:Audience></saml:AudienceRestriction>"
                    + "</saml:Conditions>"
                    + "<saml:AuthnStatement AuthnInstant=\"" + now + "\" SessionIndex=\"" + sessionIndex + "\">"
                    + "<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password"
                    + "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
                    + attributesXml
                    + "</saml:Assertion>";
        }
    }

    public static Document parse(String xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static Element assertion(Document document) {
        return (Element) document.getElementsByTagNameNS(A, "Assertion").item(0);
    }

    /** Signs {@code element} (enveloped, after its Issuer), as IdPs do. */
    public static void sign(Element element, KeyPair keys, X509Certificate certificate, String signatureMethod,
            String digestMethod) {
        try {
            element.setIdAttribute("ID", true);
            Node issuer = element.getElementsByTagNameNS(A, "Issuer").item(0);
            XMLSignatureUtil.sign(element, issuer.getNextSibling(), null, keys, digestMethod, signatureMethod,
                    "#" + element.getAttribute("ID"), certificate, CanonicalizationMethod.EXCLUSIVE);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static void sign(Element element, KeyPair keys, X509Certificate certificate) {
        sign(element, keys, certificate, RSA_SHA256, SHA256);
    }

    /** The spec's Response with its Assertion signed (the common IdP setting). */
    public static Document signedAssertion(ResponseSpec spec, KeyPair keys, X509Certificate certificate) {
        Document document = parse(spec.xml());
        sign(assertion(document), keys, certificate);
        return document;
    }

    /** The gateway's own serialiser, so tests send exactly what it would write. */
    public static String serialise(Node node) {
        return SamlXml.serialise(node);
    }

    public static String base64(String xml) {
        return Base64.getEncoder().encodeToString(xml.getBytes(StandardCharsets.UTF_8));
    }

    public static String base64(Document document) {
        return base64(serialise(document));
    }

    /**
     * An IdP's HTTP-Redirect binding query: {@code xml} deflated and base64'd, RelayState, and
     * when {@code keys} is given SigAlg (rsa-sha256) and the Signature over those, as sent.
     */
    public static String redirectQuery(String parameter, String xml, String relayState, KeyPair keys) {
        try {
            ByteArrayOutputStream deflated = new ByteArrayOutputStream();
            try (DeflaterOutputStream out = new DeflaterOutputStream(deflated, new Deflater(Deflater.DEFLATED, true))) {
                out.write(xml.getBytes(StandardCharsets.UTF_8));
            }
            String query = parameter + "=" + URLEncoder.encode(Base64.getEncoder().encodeToString(deflated.toByteArray()),
                    StandardCharsets.UTF_8)
                    + (relayState == null ? "" : "&RelayState=" + URLEncoder.encode(relayState, StandardCharsets.UTF_8));
            if (keys == null) {
                return query;
            }
            query += "&SigAlg=" + URLEncoder.encode(RSA_SHA256, StandardCharsets.UTF_8);
            Signature signer = Signature.getInstance("SHA256withRSA");
            signer.initSign(keys.getPrivate());
            signer.update(query.getBytes(StandardCharsets.US_ASCII));
            return query + "&Signature=" + URLEncoder.encode(Base64.getEncoder().encodeToString(signer.sign()),
                    StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Undoes the HTTP-Redirect binding's deflate + base64. */
    public static String inflate(String base64) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InflaterOutputStream inflating = new InflaterOutputStream(out, new Inflater(true))) {
                inflating.write(Base64.getMimeDecoder().decode(base64));
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
