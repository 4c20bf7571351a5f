package org.communitysso.gateway.connector.saml;

import java.io.ByteArrayInputStream;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM certificates and private keys from configuration (environment variables may carry literal "\n"). */
final class SamlKeys {

    private static final Pattern CERTIFICATE = Pattern.compile(
            "-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", Pattern.DOTALL);
    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----(.*?)-----END PRIVATE KEY-----", Pattern.DOTALL);

    private SamlKeys() {
    }

    static List<X509Certificate> certificates(String pem) {
        Matcher matcher = CERTIFICATE.matcher(pem.replace("\\n", "\n"));
        List<X509Certificate> certificates = new ArrayList<>();
        while (matcher.find()) {
            certificates.add(certificate(matcher.group(1)));
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("must hold at least one PEM '-----BEGIN CERTIFICATE-----' block");
        }
        return certificates;
    }

    /** A certificate from base64 DER (as in metadata's ds:X509Certificate). */
    static X509Certificate certificate(String base64) {
        try {
            byte[] der = Base64.getMimeDecoder().decode(base64.replaceAll("\\s", ""));
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (Exception e) {
            throw new IllegalArgumentException("holds a certificate that cannot be read");
        }
    }

    static PrivateKey privateKey(String pem) {
        Matcher matcher = PRIVATE_KEY.matcher(pem.replace("\\n", "\n"));
        if (!matcher.find()) {
            throw new IllegalArgumentException("must hold a PEM '-----BEGIN PRIVATE KEY-----' (PKCS#8) block");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(matcher.group(1).replaceAll("\\s", ""));
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (Exception e) {
            throw new IllegalArgumentException("holds a private key that is not an RSA PKCS#8 key");
        }
    }
}
