package org.communitysso.gateway.testing;

import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed server certificate for {@code localhost} / {@code 127.0.0.1}, made
 * once per test JVM: a PKCS12 key store for WireMock's https port, and a TLS context
 * that trusts that certificate and nothing else (hostname verification stays on); the same
 * certificate and key in PEM for servers that read PEM files (nginx).
 */
public final class TestTls {

    public static final String PASSWORD = "test-only";

    private static Path keyStoreFile;
    private static X509Certificate certificate;
    private static KeyPair keyPair;

    private TestTls() {
    }

    /** The key store file WireMock serves https with ({@code keystoreType PKCS12}, password {@link #PASSWORD}). */
    public static synchronized Path keyStore() {
        if (keyStoreFile == null) {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                KeyPair keys = generator.generateKeyPair();
                X500Name name = new X500Name("CN=localhost");
                Instant now = Instant.now();
                JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                        BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(3600)),
                        Date.from(now.plusSeconds(86400)), name, keys.getPublic());
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
                keyPair = keys;
                certificate = new JcaX509CertificateConverter().getCertificate(
                        builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("server", keys.getPrivate(), PASSWORD.toCharArray(), new Certificate[] {certificate});
                Path file = Files.createTempFile("test-tls", ".p12");
                file.toFile().deleteOnExit();
                try (OutputStream out = Files.newOutputStream(file)) {
                    store.store(out, PASSWORD.toCharArray());
                }
                keyStoreFile = file;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return keyStoreFile;
    }

    /** A client TLS context that trusts only the test certificate. */
    public static SSLContext trustingTestCertificate() {
        keyStore();
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", certificate);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The test certificate in PEM. */
    public static String certificatePem() {
        keyStore();
        try {
            return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The test certificate's private key in PEM (PKCS#8, unencrypted). */
    public static String privateKeyPem() {
        keyStore();
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(keyPair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }
}
