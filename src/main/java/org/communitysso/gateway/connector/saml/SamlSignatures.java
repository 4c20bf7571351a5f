package org.communitysso.gateway.connector.saml;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.crypto.KeySelector;
import javax.xml.crypto.dsig.CanonicalizationMethod;
import javax.xml.crypto.dsig.Reference;
import javax.xml.crypto.dsig.Transform;
import javax.xml.crypto.dsig.XMLSignature;
import javax.xml.crypto.dsig.XMLSignatureFactory;
import javax.xml.crypto.dsig.dom.DOMValidateContext;
import org.communitysso.gateway.error.Reason;
import org.w3c.dom.Element;

/**
 * XML signatures as SAML uses them, verified under our policy: one reference,
 * to the id of the very element the signature sits in, plain transforms, and
 * algorithms from the connector's allow-list. The JDK's XML DSig does the crypto.
 */
final class SamlSignatures {

    /** A signature that is refused, with the reason code to show. */
    static final class Invalid extends Exception {
        final Reason reason;

        Invalid(Reason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    /** The XML-DSig and redirect-binding names of each configurable algorithm. */
    enum Algorithm {
        SHA1("http://www.w3.org/2000/09/xmldsig#rsa-sha1", "http://www.w3.org/2000/09/xmldsig#sha1", "SHA1withRSA"),
        SHA256("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "http://www.w3.org/2001/04/xmlenc#sha256",
                "SHA256withRSA"),
        SHA512("http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", "http://www.w3.org/2001/04/xmlenc#sha512",
                "SHA512withRSA");

        final String signatureUri;
        final String digestUri;
        final String jcaName;

        Algorithm(String signatureUri, String digestUri, String jcaName) {
            this.signatureUri = signatureUri;
            this.digestUri = digestUri;
            this.jcaName = jcaName;
        }

        static Algorithm bySignatureUri(String uri) {
            for (Algorithm algorithm : values()) {
                if (algorithm.signatureUri.equals(uri)) {
                    return algorithm;
                }
            }
            return null;
        }
    }

    private static final Set<String> STRONG_SIGNATURES = Set.of(Algorithm.SHA256.signatureUri,
            Algorithm.SHA512.signatureUri, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384");
    private static final Set<String> STRONG_DIGESTS = Set.of(Algorithm.SHA256.digestUri, Algorithm.SHA512.digestUri,
            "http://www.w3.org/2001/04/xmldsig-more#sha384");
    /** Canonicalisations without comments: a comment must never change what was signed. */
    private static final Set<String> CANONICALISATIONS = Set.of(CanonicalizationMethod.EXCLUSIVE,
            CanonicalizationMethod.INCLUSIVE);
    private static final Set<String> TRANSFORMS = Set.of(Transform.ENVELOPED, CanonicalizationMethod.EXCLUSIVE,
            CanonicalizationMethod.INCLUSIVE);
    private static final Map<String, String> REDIRECT_JCA = Map.of(
            Algorithm.SHA1.signatureUri, "SHA1withRSA",
            Algorithm.SHA256.signatureUri, "SHA256withRSA",
            Algorithm.SHA512.signatureUri, "SHA512withRSA",
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", "SHA384withRSA");

    /** Replaced as a whole when the IdP's metadata is refreshed (a key rollover): readers see one set or the other. */
    private volatile List<PublicKey> keys;
    private final boolean sha1Allowed;

    SamlSignatures(List<PublicKey> keys, boolean sha1Allowed) {
        this.keys = List.copyOf(keys);
        this.sha1Allowed = sha1Allowed;
    }

    /** The IdP's signing keys from now on: every certificate of its refreshed metadata. */
    void replaceKeys(List<PublicKey> next) {
        if (next.isEmpty()) {
            throw new IllegalArgumentException("no signing keys");
        }
        keys = List.copyOf(next);
    }

    /**
     * Verifies {@code signature}, a direct child of {@code signed}, as covering
     * exactly {@code signed} (ids must already be registered and unique).
     */
    void verifyEnveloped(Element signature, Element signed) throws Invalid {
        if (signature.getParentNode() != signed) {
            throw new Invalid(Reason.SIGNATURE_INVALID, "signature is not inside the element it must cover");
        }
        String id = signed.getAttribute("ID");
        if (id.isEmpty()) {
            throw new Invalid(Reason.SIGNATURE_INVALID, "signed element has no ID");
        }
        checkAlgorithmsBeforeParsing(signature);
        XMLSignatureFactory factory = XMLSignatureFactory.getInstance("DOM");
        boolean anyKeyTried = false;
        List<PublicKey> keys = this.keys;
        for (PublicKey key : keys) {
            DOMValidateContext context = new DOMValidateContext(KeySelector.singletonKeySelector(key), signature);
            if (sha1Allowed) {
                // The JDK's secure validation refuses SHA-1 outright; this connector was configured
                // for it, so our own checks below replace that one rule.
                context.setProperty("org.jcp.xml.dsig.secureValidation", Boolean.FALSE);
            }
            context.setProperty("javax.xml.crypto.dsig.cacheReference", Boolean.FALSE);
            try {
                XMLSignature xmlSignature = factory.unmarshalXMLSignature(context);
                checkShape(xmlSignature, id);
                anyKeyTried = true;
                if (xmlSignature.validate(context)) {
                    return;
                }
            } catch (Invalid e) {
                throw e;
            } catch (Exception e) {
                throw new Invalid(Reason.SIGNATURE_INVALID, "signature cannot be read: " + e.getClass().getSimpleName());
            }
        }
        throw new Invalid(Reason.SIGNATURE_INVALID, anyKeyTried ? "signature does not verify with the configured "
                + "certificate(s)" : "no certificate configured");
    }

    /**
     * The JDK refuses SHA-1 while unmarshalling, with an exception that does not say
     * why; reading the algorithms first gives the member the right reason code.
     */
    private void checkAlgorithmsBeforeParsing(Element signature) throws Invalid {
        var methods = signature.getElementsByTagNameNS(SamlXml.DSIG, "SignatureMethod");
        for (int i = 0; i < methods.getLength(); i++) {
            if (!allowedSignature(((Element) methods.item(i)).getAttribute("Algorithm"))) {
                throw new Invalid(Reason.ALGORITHM_NOT_ALLOWED, "signature algorithm not allowed");
            }
        }
        var digests = signature.getElementsByTagNameNS(SamlXml.DSIG, "DigestMethod");
        for (int i = 0; i < digests.getLength(); i++) {
            String digest = ((Element) digests.item(i)).getAttribute("Algorithm");
            if (!(STRONG_DIGESTS.contains(digest) || (sha1Allowed && Algorithm.SHA1.digestUri.equals(digest)))) {
                throw new Invalid(Reason.ALGORITHM_NOT_ALLOWED, "digest algorithm not allowed");
            }
        }
    }

    private void checkShape(XMLSignature signature, String id) throws Invalid {
        var signedInfo = signature.getSignedInfo();
        String method = signedInfo.getSignatureMethod().getAlgorithm();
        if (!allowedSignature(method)) {
            throw new Invalid(Reason.ALGORITHM_NOT_ALLOWED, "signature algorithm not allowed");
        }
        if (!CANONICALISATIONS.contains(signedInfo.getCanonicalizationMethod().getAlgorithm())) {
            throw new Invalid(Reason.SIGNATURE_INVALID, "canonicalisation not allowed");
        }
        List<?> references = signedInfo.getReferences();
        if (references.size() != 1) {
            throw new Invalid(Reason.SIGNATURE_INVALID, "signature must have exactly one reference");
        }
        Reference reference = (Reference) references.get(0);
        if (!("#" + id).equals(reference.getURI())) {
            throw new Invalid(Reason.SIGNATURE_INVALID, "signature does not reference the element it is in");
        }
        for (Object transform : reference.getTransforms()) {
            if (!TRANSFORMS.contains(((Transform) transform).getAlgorithm())) {
                throw new Invalid(Reason.SIGNATURE_INVALID, "transform not allowed");
            }
        }
        String digest = reference.getDigestMethod().getAlgorithm();
        if (!(STRONG_DIGESTS.contains(digest) || (sha1Allowed && Algorithm.SHA1.digestUri.equals(digest)))) {
            throw new Invalid(Reason.ALGORITHM_NOT_ALLOWED, "digest algorithm not allowed");
        }
    }

    private boolean allowedSignature(String uri) {
        return STRONG_SIGNATURES.contains(uri) || (sha1Allowed && Algorithm.SHA1.signatureUri.equals(uri));
    }

    /**
     * Verifies an HTTP-Redirect binding signature over the query as received
     * ({@code SAMLRequest=…&RelayState=…&SigAlg=…}, values still URL-encoded).
     */
    void verifyRedirect(String signedQuery, String sigAlg, String signatureBase64) throws Invalid {
        if (sigAlg == null || !allowedSignature(sigAlg) || !REDIRECT_JCA.containsKey(sigAlg)) {
            throw new Invalid(Reason.ALGORITHM_NOT_ALLOWED, "redirect signature algorithm not allowed");
        }
        byte[] signatureBytes;
        try {
            signatureBytes = Base64.getMimeDecoder().decode(signatureBase64);
        } catch (IllegalArgumentException e) {
            throw new Invalid(Reason.SIGNATURE_INVALID, "redirect signature is not base64");
        }
        for (PublicKey key : keys) {
            try {
                Signature verifier = Signature.getInstance(REDIRECT_JCA.get(sigAlg));
                verifier.initVerify(key);
                verifier.update(signedQuery.getBytes(StandardCharsets.US_ASCII));
                if (verifier.verify(signatureBytes)) {
                    return;
                }
            } catch (Exception e) {
                // try the next key
            }
        }
        throw new Invalid(Reason.SIGNATURE_INVALID, "redirect signature does not verify");
    }

    /** Signs an HTTP-Redirect binding query with the SP key. */
    static String signRedirect(String query, Algorithm algorithm, PrivateKey key) {
        try {
            Signature signer = Signature.getInstance(algorithm.jcaName);
            signer.initSign(key);
            signer.update(query.getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign the SAML request", e);
        }
    }
}
