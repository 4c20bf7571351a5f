package org.communitysso.gateway.connector.saml;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

/**
 * The SP key pair for a connector in dev mode when none is configured: an RSA
 * 2048 key and a self-signed certificate, generated once and kept in a PEM
 * file so restarts reuse them (an IdP that imported our metadata keeps
 * working). Never used outside the dev profile: there the key must come from
 * configuration.
 */
final class DevSpKeys {

    record Loaded(KeyPair keys, X509Certificate certificate, Path file, boolean generated) {
    }

    private DevSpKeys() {
    }

    /** The pair in {@code directory/<connectorId>.pem}, generated and written there first if absent. */
    static synchronized Loaded loadOrCreate(Path directory, String connectorId) {
        Path file = directory.resolve(connectorId + ".pem");
        try {
            boolean generated = false;
            if (!Files.exists(file)) {
                Files.createDirectories(directory);
                Files.writeString(file, generate(connectorId), StandardCharsets.US_ASCII);
                if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                }
                generated = true;
            }
            String pem = Files.readString(file, StandardCharsets.US_ASCII);
            PrivateKey privateKey = SamlKeys.privateKey(pem);
            X509Certificate certificate = SamlKeys.certificates(pem).get(0);
            return new Loaded(new KeyPair(certificate.getPublicKey(), privateKey), certificate, file, generated);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the dev SAML SP key in " + file, e);
        }
    }

    private static String generate(String connectorId) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair keys = generator.generateKeyPair();
            byte[] certificate = selfSigned(keys, connectorId + " dev SP");
            Base64.Encoder base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
            return "-----BEGIN PRIVATE KEY-----\n" + base64.encodeToString(keys.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\n" + base64.encodeToString(certificate)
                    + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate the dev SAML SP key", e);
        }
    }

    // The JDK has no public API to build a certificate and BouncyCastle is a test dependency only,
    // so this writes the few DER structures of a v1 self-signed certificate (RFC 5280 4.1) itself.

    private static final byte[] SHA256_WITH_RSA = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");

    static byte[] selfSigned(KeyPair keys, String commonName) throws GeneralSecurityException {
        byte[] name = der(0x30, der(0x31, der(0x30, concat(new byte[] {0x06, 0x03, 0x55, 0x04, 0x03},
                der(0x0c, commonName.getBytes(StandardCharsets.UTF_8))))));
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).withNano(0);
        byte[] validity = der(0x30, concat(der(0x17, UTC_TIME.format(now.minusDays(1)).getBytes(StandardCharsets.US_ASCII)),
                der(0x17, UTC_TIME.format(now.plusYears(10)).getBytes(StandardCharsets.US_ASCII))));
        byte[] serial = der(0x02, new BigInteger(64, new SecureRandom()).add(BigInteger.ONE).toByteArray());
        byte[] tbs = der(0x30, concat(serial, SHA256_WITH_RSA, name, validity, name, keys.getPublic().getEncoded()));
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(keys.getPrivate());
        signer.update(tbs);
        byte[] signature = concat(new byte[] {0}, signer.sign());
        return der(0x30, concat(tbs, SHA256_WITH_RSA, der(0x03, signature)));
    }

    private static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            byte[] bytes = BigInteger.valueOf(length).toByteArray();
            int start = bytes[0] == 0 ? 1 : 0;
            out.write(0x80 | (bytes.length - start));
            out.write(bytes, start, bytes.length - start);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
