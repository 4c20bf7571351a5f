package org.communitysso.gateway.connector.jwt;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.communitysso.gateway.testing.Db;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestTokens;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A token without jti is single-use however it is spelled: every other text
 * that a lenient base64url reader would verify as the same token is refused
 * as malformed and opens no session (RS256 at acme, HS256 at shared).
 */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class TokenSpellingsTest {

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    @Inject
    Db db;

    /** How a replaying attacker re-spells the token; "form +" sends it raw in a form body. */
    static Map<String, UnaryOperator<String>> spellings() {
        return Map.of(
                "leading space", token -> " " + token,
                "trailing space", token -> token + " ",
                "trailing newline", token -> token + "\n",
                "padding on the signature", token -> token + "=".repeat((4 - signature(token).length() % 4) % 4),
                "unused bit of the last signature character flipped", TokenSpellingsTest::flipLastBit,
                "stray ~ in the signature", token -> {
                    int at = token.lastIndexOf('.') + 5;
                    return token.substring(0, at) + "~" + token.substring(at);
                },
                "+ and / instead of - and _", token -> token.replace('-', '+').replace('_', '/'));
    }

    static Stream<Arguments> cases() {
        return Stream.of("acme", "shared").flatMap(connector -> Stream.concat(
                spellings().keySet().stream().sorted().map(name -> Arguments.of(connector, name)),
                Stream.of(Arguments.of(connector, "+ in a form body"))));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void anotherSpellingOfAUsedTokenIsRefused(String connector, String spelling) {
        String externalId = "spell-" + UUID.randomUUID();
        String token = tokenWithoutJti(connector, externalId);
        Response first = get(connector, token);
        assertEquals(302, first.statusCode(), first.asString());
        assertNotNull(first.getCookie("community_session"));
        assertEquals(1, db.sessionsFor(externalId));

        Response again;
        if (spelling.equals("+ in a form body")) {
            // a form decoder turns the + into a space
            again = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                    .body("token=" + token + "+").post("/auth/" + connector + "/return");
        } else {
            String respelled = spellings().get(spelling).apply(token);
            assertNotEquals(token, respelled, "the spelling changes the text");
            again = get(connector, respelled);
        }
        assertEquals(400, again.statusCode(), again.asString());
        assertTrue(again.asString().contains("token_malformed"), again.asString());
        assertNull(again.getCookie("community_session"), "no session cookie");
        assertEquals(1, db.sessionsFor(externalId), "no second session");
    }

    /** Sent exactly as given: the query value is percent-encoded here, not by RestAssured. */
    private static Response get(String connector, String token) {
        return given().redirects().follow(false).urlEncodingEnabled(false)
                .get("/auth/" + connector + "/return?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
    }

    /** A fresh token without jti, whose text holds a '-' or '_' (so the +/ spelling differs). */
    private static String tokenWithoutJti(String connector, String externalId) {
        for (int attempt = 0; ; attempt++) {
            JwtClaims claims = connector.equals("acme")
                    ? TestTokens.acmeClaims(Map.of())
                    : TestTokens.claims(TestIdp.SHARED_ISSUER, Map.of());
            claims.unsetClaim("jti");
            claims.setClaim("id", externalId);
            claims.setClaim("username", "s" + externalId.substring(externalId.length() - 12));
            claims.setClaim("attempt", attempt);
            String token = connector.equals("acme")
                    ? TestTokens.signRs256(claims, TestTokens.key("acme"), null)
                    : TestTokens.signHmac(claims, TestIdp.SHARED_SECRET.getBytes(StandardCharsets.UTF_8),
                            AlgorithmIdentifiers.HMAC_SHA256);
            if (token.indexOf('-') >= 0 || token.indexOf('_') >= 0) {
                return token;
            }
        }
    }

    private static String signature(String token) {
        return token.substring(token.lastIndexOf('.') + 1);
    }

    /** RS256 (256 bytes) and HS256 (32 bytes) signatures leave unused low bits in their last character. */
    private static String flipLastBit(String token) {
        char last = token.charAt(token.length() - 1);
        return token.substring(0, token.length() - 1) + ALPHABET.charAt(ALPHABET.indexOf(last) ^ 1);
    }
}
