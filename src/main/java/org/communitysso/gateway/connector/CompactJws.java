package org.communitysso.gateway.connector;

import java.net.URI;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.jose4j.http.Get;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jwx.Headers;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.lang.JoseException;

/**
 * Strict reading of a JWS compact serialisation (RFC 7515, 7.1), before jose4j's
 * lenient parser sees it. jose4j trims, ignores characters outside the base64url
 * alphabet, accepts padding, {@code +} and {@code /}, and non-zero unused bits,
 * so many texts verify as the same token; only the strict one is accepted.
 */
public final class CompactJws {

    private static final Pattern COMPACT = Pattern.compile("[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*");
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    /** RFC 7515, 4.1: the header parameters whose value is a string. */
    private static final Set<String> STRING_PARAMETERS = Set.of("alg", "jku", "kid", "x5u", "x5t", "x5t#S256", "typ",
            "cty");

    private CompactJws() {
    }

    /** Exactly three base64url parts without padding or whitespace, each the one encoding of its bytes. */
    public static boolean isStrict(String token) {
        if (token == null || !COMPACT.matcher(token).matches()) {
            return false;
        }
        for (String part : token.split("\\.", -1)) {
            try {
                // re-encoding gives back the text only when the unused bits of the last character are zero
                if (!ENCODER.encodeToString(DECODER.decode(part)).equals(part)) {
                    return false;
                }
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return true;
    }

    /** {@code header.payload}: what the signature covers, so an id for a token that cannot be varied. */
    public static String signingInput(String token) {
        return token.substring(0, token.lastIndexOf('.'));
    }

    /**
     * The header's {@code alg}, or null when it has none. jose4j casts header
     * values unchecked (a ClassCastException, not a refusal), so a header whose
     * parameters do not have their RFC 7515 types is refused as malformed first.
     */
    public static String algorithm(String token) throws JoseException {
        Headers headers = JsonWebStructure.fromCompactSerialization(token).getHeaders();
        for (String name : STRING_PARAMETERS) {
            Object value = headers.getObjectHeaderValue(name);
            if (value != null && !(value instanceof String)) {
                throw new JoseException(name + " is not a string");
            }
        }
        Object crit = headers.getObjectHeaderValue("crit");
        if (crit != null && !(crit instanceof List<?> names && names.stream().allMatch(String.class::isInstance))) {
            throw new JoseException("crit is not an array of strings");
        }
        return headers.getStringHeaderValue("alg");
    }

    /**
     * The header's {@code alg} when it is one of {@code allowed}; else refused by
     * name ({@code token_malformed}, {@code algorithm_not_allowed}), before jose4j
     * resolves a key and would report {@code none} or an HS* as an unknown key.
     */
    public static String allowedAlgorithm(String token, Set<String> allowed, String connectorId) {
        String alg;
        try {
            alg = algorithm(token);
        } catch (JoseException e) {
            throw new GatewayException(Reason.TOKEN_MALFORMED, connectorId, "unreadable JOSE header", e);
        }
        if (alg == null || !allowed.contains(alg)) {
            throw new GatewayException(Reason.ALGORITHM_NOT_ALLOWED, connectorId, "alg "
                    + (alg == null ? "missing" : alg.replaceAll("\\W", "?")) + " is not in " + allowed);
        }
        return alg;
    }

    /** An IdP's JWKS, fetched with these timeouts and timed as {@code call=jwks} (jose4j caches and refetches it). */
    public static HttpsJwks timedJwks(String connectorId, URI url, int connectTimeoutMillis, int readTimeoutMillis) {
        HttpsJwks jwks = new HttpsJwks(url.toString());
        Get get = new Get();
        get.setConnectTimeout(connectTimeoutMillis);
        get.setReadTimeout(readTimeoutMillis);
        jwks.setSimpleHttpGet(location -> {
            try {
                return IdpCalls.time(connectorId, "jwks", () -> get.get(location));
            } catch (java.io.IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new java.io.IOException(e);
            }
        });
        return jwks;
    }
}
