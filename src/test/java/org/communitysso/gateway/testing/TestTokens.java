package org.communitysso.gateway.testing;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;

/** Builds and signs the tokens the tests send, as a customer IdP would. */
public final class TestTokens {

    private TestTokens() {
    }

    /** Claims an Acme token normally carries: iss, aud, iat, exp, a fresh jti, and the given user data. */
    public static JwtClaims acmeClaims(Map<String, Object> userData) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(TestIdp.ACME_ISSUER);
        claims.setAudience(TestIdp.ACME_AUDIENCE);
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(2);
        claims.setJwtId(UUID.randomUUID().toString());
        userData.forEach(claims::setClaim);
        return claims;
    }

    public static JwtClaims claims(String issuer, Map<String, Object> userData) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(2);
        claims.setJwtId(UUID.randomUUID().toString());
        userData.forEach(claims::setClaim);
        return claims;
    }

    public static String acme(Map<String, Object> userData) {
        return signRs256(acmeClaims(userData), key("acme"), null);
    }

    public static String signRs256(JwtClaims claims, KeyPair key, String kid) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims.toJson());
            jws.setKey(key.getPrivate());
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
            if (kid != null) {
                jws.setKeyIdHeaderValue(kid);
            }
            return jws.getCompactSerialization();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String signHmac(JwtClaims claims, byte[] secret, String alg) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims.toJson());
            jws.setKey(new HmacKey(secret));
            jws.setDoKeyValidation(false);
            jws.setAlgorithmHeaderValue(alg);
            return jws.getCompactSerialization();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sharedSecretToken(Map<String, Object> userData) {
        return signHmac(claims(TestIdp.SHARED_ISSUER, userData), TestIdp.SHARED_SECRET.getBytes(StandardCharsets.UTF_8),
                AlgorithmIdentifiers.HMAC_SHA256);
    }

    /** Signs claims under exactly this header JSON, RS256: for header values jose4j would not write. */
    public static String signRs256WithHeader(String headerJson, JwtClaims claims, KeyPair key) {
        String input = b64(headerJson) + "." + b64(claims.toJson());
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key.getPrivate());
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsigned token: header {"alg":"none"}. */
    public static String unsigned(JwtClaims claims) {
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        return header + "." + b64(claims.toJson()) + ".";
    }

    public static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A key pair the TestIdp generated for this run: acme, partner or rogue. */
    public static KeyPair key(String name) {
        String[] parts = ConfigProvider.getConfig().getValue("test." + name + ".private-key", String.class).split(":");
        try {
            KeyFactory factory = KeyFactory.getInstance("RSA");
            PrivateKey privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(parts[0])));
            PublicKey publicKey = factory.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(parts[1])));
            return new KeyPair(publicKey, privateKey);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String publicPem(KeyPair pair) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    public static String jwks(KeyPair pair, String kid) {
        try {
            RsaJsonWebKey jwk = (RsaJsonWebKey) JsonWebKey.Factory.newJwk(pair.getPublic());
            jwk.setKeyId(kid);
            jwk.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
            jwk.setUse("sig");
            return new JsonWebKeySet(jwk).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
