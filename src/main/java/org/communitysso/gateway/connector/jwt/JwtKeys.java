package org.communitysso.gateway.connector.jwt;

import java.net.URI;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import org.communitysso.gateway.connector.CompactJws;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.keys.HmacKey;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.JoseException;

/** Where a connector's verification keys come from: fixed PEM keys, a JWKS URL, or a shared secret. */
final class JwtKeys {

    static final int JWKS_TIMEOUT_MILLIS = 5_000;

    private final VerificationKeyResolver resolver;
    /** The key set behind a JWKS URL; null for configured keys. */
    private final HttpsJwks jwks;

    private JwtKeys(VerificationKeyResolver resolver) {
        this(resolver, null);
    }

    private JwtKeys(VerificationKeyResolver resolver, HttpsJwks jwks) {
        this.resolver = resolver;
        this.jwks = jwks;
    }

    /** For the readiness check: the JWKS (from jose4j's cache when fresh) has keys; throws when it cannot be had. */
    void probe() throws Exception {
        if (jwks != null && jwks.getJsonWebKeys().isEmpty()) {
            throw new IllegalStateException("JWKS holds no keys");
        }
    }

    boolean fromUrl() {
        return jwks != null;
    }

    VerificationKeyResolver resolver() {
        return resolver;
    }

    /**
     * Configured keys carry no kid, so a token's kid (which many IdP libraries
     * add) cannot select one: use the key whose signature verifies. When none
     * does, hand jose4j the first key so the refusal is "signature invalid".
     */
    static JwtKeys staticKeys(List<PublicKey> keys) {
        List<PublicKey> candidates = List.copyOf(keys);
        return new JwtKeys((jws, nestingContext) -> {
            if (candidates.size() > 1) {
                for (PublicKey key : candidates) {
                    if (verifies(jws, key)) {
                        return key;
                    }
                }
            }
            return candidates.get(0);
        });
    }

    private static boolean verifies(JsonWebSignature jws, PublicKey key) {
        try {
            jws.setKey(key);
            return jws.verifySignature();
        } catch (JoseException e) {
            return false;
        } finally {
            jws.setKey(null);
        }
    }

    /**
     * jose4j caches the set and refetches it when a token names an unknown kid,
     * at most once per {@code refetchInterval}.
     */
    static JwtKeys jwks(String connectorId, URI url, Duration refetchInterval) {
        HttpsJwks httpsJwks = CompactJws.timedJwks(connectorId, url, JWKS_TIMEOUT_MILLIS, JWKS_TIMEOUT_MILLIS);
        httpsJwks.setDefaultCacheDuration(3600);
        httpsJwks.setRefreshReprieveThreshold(refetchInterval.toMillis());
        HttpsJwksVerificationKeyResolver resolver = new HttpsJwksVerificationKeyResolver(httpsJwks);
        resolver.setDisambiguateWithVerifySignature(true);
        return new JwtKeys(resolver, httpsJwks);
    }

    static JwtKeys sharedSecret(byte[] secret) {
        HmacKey key = new HmacKey(secret);
        return new JwtKeys((jws, nestingContext) -> key);
    }
}
