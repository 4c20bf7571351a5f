package org.communitysso.gateway.connector.jwt;

import java.io.ByteArrayInputStream;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads PEM public keys and certificates (one or more, for key rollover). */
final class PemKeys {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN (PUBLIC KEY|CERTIFICATE)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    private PemKeys() {
    }

    static List<PublicKey> parsePublicKeys(String pem) {
        // Environment variables often carry PEM with literal "\n" sequences.
        String text = pem.replace("\\n", "\n");
        Matcher matcher = BLOCK.matcher(text);
        List<PublicKey> keys = new ArrayList<>();
        while (matcher.find()) {
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(matcher.group(2).replaceAll("\\s", ""));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("is not valid PEM (bad base64)");
            }
            keys.add(matcher.group(1).equals("CERTIFICATE") ? fromCertificate(der) : fromSpki(der));
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(
                    "must hold a PEM '-----BEGIN PUBLIC KEY-----' or '-----BEGIN CERTIFICATE-----' block");
        }
        return keys;
    }

    private static PublicKey fromCertificate(byte[] der) {
        try {
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            return certificate.getPublicKey();
        } catch (Exception e) {
            throw new IllegalArgumentException("holds a certificate that cannot be read");
        }
    }

    private static PublicKey fromSpki(byte[] der) {
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (Exception e) {
                // try the next key type
            }
        }
        throw new IllegalArgumentException("holds a public key that is not RSA, EC or Ed25519");
    }
}
