package org.communitysso.gateway.connector.saml;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterOutputStream;
import javax.xml.crypto.dsig.CanonicalizationMethod;
import org.keycloak.saml.processing.core.util.XMLSignatureUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** The SAML messages the gateway writes, and the two bindings' encodings. */
final class SamlMessages {

    static final String POST_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
    static final String REDIRECT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

    private SamlMessages() {
    }

    /** A fresh message id: must start with a letter or underscore (xs:ID). */
    static String newId() {
        return "_" + org.communitysso.gateway.Secrets.randomId();
    }

    static String authnRequest(String id, Instant now, String destination, String acsUrl, String spEntityId,
            String nameIdFormat, boolean forceAuthn) {
        return "<samlp:AuthnRequest xmlns:samlp=\"" + SamlXml.PROTOCOL + "\" xmlns:saml=\"" + SamlXml.ASSERTION + "\""
                + " ID=\"" + id + "\" Version=\"2.0\" IssueInstant=\"" + instant(now) + "\""
                + " Destination=\"" + escape(destination) + "\" AssertionConsumerServiceURL=\"" + escape(acsUrl) + "\""
                + " ProtocolBinding=\"" + POST_BINDING + "\"" + (forceAuthn ? " ForceAuthn=\"true\"" : "") + ">"
                + "<saml:Issuer>" + escape(spEntityId) + "</saml:Issuer>"
                + "<samlp:NameIDPolicy Format=\"" + escape(nameIdFormat) + "\" AllowCreate=\"true\"/>"
                + "</samlp:AuthnRequest>";
    }

    static String logoutRequest(String id, Instant now, String destination, String spEntityId, SignOffHandle handle) {
        return "<samlp:LogoutRequest xmlns:samlp=\"" + SamlXml.PROTOCOL + "\" xmlns:saml=\"" + SamlXml.ASSERTION + "\""
                + " ID=\"" + id + "\" Version=\"2.0\" IssueInstant=\"" + instant(now) + "\""
                + " Destination=\"" + escape(destination) + "\">"
                + "<saml:Issuer>" + escape(spEntityId) + "</saml:Issuer>"
                + "<saml:NameID" + optional("Format", handle.format()) + optional("NameQualifier", handle.nameQualifier())
                + optional("SPNameQualifier", handle.spNameQualifier()) + ">" + escape(handle.nameId()) + "</saml:NameID>"
                + (handle.sessionIndex() == null ? ""
                        : "<samlp:SessionIndex>" + escape(handle.sessionIndex()) + "</samlp:SessionIndex>")
                + "</samlp:LogoutRequest>";
    }

    static String logoutResponse(String id, Instant now, String destination, String spEntityId, String inResponseTo,
            String statusCode) {
        return "<samlp:LogoutResponse xmlns:samlp=\"" + SamlXml.PROTOCOL + "\" xmlns:saml=\"" + SamlXml.ASSERTION + "\""
                + " ID=\"" + id + "\" Version=\"2.0\" IssueInstant=\"" + instant(now) + "\""
                + " Destination=\"" + escape(destination) + "\" InResponseTo=\"" + escape(inResponseTo) + "\">"
                + "<saml:Issuer>" + escape(spEntityId) + "</saml:Issuer>"
                + "<samlp:Status><samlp:StatusCode Value=\"" + statusCode + "\"/></samlp:Status>"
                + "</samlp:LogoutResponse>";
    }

    /** Enveloped signature over the whole message, placed right after its Issuer (schema order). */
    static String signXml(String xml, KeyPair keys, X509Certificate certificate, SamlSignatures.Algorithm algorithm) {
        try {
            Document document = SamlXml.parse(xml.getBytes(StandardCharsets.UTF_8));
            Element root = document.getDocumentElement();
            root.setIdAttribute("ID", true);
            Element issuer = SamlXml.child(root, SamlXml.ASSERTION, "Issuer");
            XMLSignatureUtil.sign(root, issuer == null ? root.getFirstChild() : issuer.getNextSibling(), null, keys,
                    algorithm.digestUri, algorithm.signatureUri, "#" + root.getAttribute("ID"), certificate,
                    CanonicalizationMethod.EXCLUSIVE);
            return SamlXml.serialise(document);
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign the SAML message", e);
        }
    }

    /** HTTP-Redirect binding: raw DEFLATE, then base64 (the caller URL-encodes). */
    static String deflateBase64(String xml) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.DEFLATED, true);
        try (DeflaterOutputStream deflating = new DeflaterOutputStream(out, deflater)) {
            deflating.write(xml.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            deflater.end();
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    /** Undoes the HTTP-Redirect encoding, refusing anything that inflates beyond {@code limit} bytes. */
    static byte[] inflate(byte[] deflated, int limit) throws SamlXml.Refused {
        Inflater inflater = new Inflater(true);
        ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                if (count + len > limit) {
                    throw new IllegalStateException("too large");
                }
                super.write(b, off, len);
            }
        };
        try (InflaterOutputStream inflating = new InflaterOutputStream(out, inflater)) {
            inflating.write(deflated);
        } catch (Exception e) {
            throw new SamlXml.Refused("redirect message cannot be inflated or is too large");
        } finally {
            inflater.end();
        }
        return out.toByteArray();
    }

    static String instant(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static String base64(X509Certificate certificate) {
        try {
            return Base64.getEncoder().encodeToString(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String optional(String name, String value) {
        return value == null ? "" : " " + name + "=\"" + escape(value) + "\"";
    }

    static String escape(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&apos;");
    }
}
