package org.communitysso.gateway.connector.jwt;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.WireMock;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.communitysso.gateway.testing.Db;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestTokens;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every token attack of SPEC 2.3 is refused with its reason code, and leaves no account and no session behind. */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class RejectsBadTokensTest {

    @Inject
    Db db;

    @ConfigProperty(name = "test.wiremock.port")
    int wireMockPort;

    static Stream<Arguments> attacks() {
        return Stream.of(
                attack("alg none", 401, "algorithm_not_allowed", id -> TestTokens.unsigned(acme(id))),
                attack("HS256 keyed with the RSA public key", 401, "algorithm_not_allowed",
                        id -> TestTokens.signHmac(acme(id), TestTokens.publicPem(TestTokens.key("acme"))
                                .getBytes(StandardCharsets.US_ASCII), AlgorithmIdentifiers.HMAC_SHA256)),
                attack("signed by another key", 401, "signature_invalid",
                        id -> TestTokens.signRs256(acme(id), TestTokens.key("rogue"), null)),
                attack("payload tampered after signing", 401, "signature_invalid", id -> {
                    String[] parts = TestTokens.signRs256(acme(id), TestTokens.key("acme"), null).split("\\.");
                    JwtClaims changed = acme(id);
                    changed.setClaim("customRoles", "1, 2, 3, admin");
                    return parts[0] + "." + TestTokens.b64(changed.toJson()) + "." + parts[2];
                }),
                attack("expired", 401, "token_expired", id -> {
                    JwtClaims claims = acme(id);
                    claims.setIssuedAt(NumericDate.fromSeconds(now() - 200));
                    claims.setExpirationTime(NumericDate.fromSeconds(now() - 120));
                    return sign(claims);
                }),
                attack("nbf in the future", 401, "token_not_yet_valid", id -> {
                    JwtClaims claims = acme(id);
                    claims.setNotBefore(NumericDate.fromSeconds(now() + 120));
                    return sign(claims);
                }),
                attack("issued longer ago than max-age", 401, "token_too_old", id -> {
                    JwtClaims claims = acme(id);
                    claims.setIssuedAt(NumericDate.fromSeconds(now() - 600));
                    return sign(claims);
                }),
                attack("no exp and no iat", 400, "token_malformed", id -> {
                    JwtClaims claims = acme(id);
                    claims.unsetClaim("exp");
                    claims.unsetClaim("iat");
                    return sign(claims);
                }),
                attack("long-lived exp without iat", 401, "token_too_old", id -> {
                    JwtClaims claims = acme(id);
                    claims.unsetClaim("iat");
                    claims.setExpirationTimeMinutesInTheFuture(60 * 24 * 365);
                    return sign(claims);
                }),
                attack("wrong issuer", 401, "issuer_invalid", id -> {
                    JwtClaims claims = acme(id);
                    claims.setIssuer("https://idp.evil.test");
                    return sign(claims);
                }),
                attack("wrong audience", 401, "audience_invalid", id -> {
                    JwtClaims claims = acme(id);
                    claims.setAudience("another-service");
                    return sign(claims);
                }),
                attack("missing id", 400, "invalid_user_data", id -> {
                    JwtClaims claims = acme(id);
                    claims.unsetClaim("id");
                    return sign(claims);
                }),
                attack("oversized token (> 16 KiB)", 413, "token_too_large", id -> {
                    JwtClaims claims = acme(id);
                    claims.setClaim("padding", "x".repeat(17 * 1024));
                    return sign(claims);
                }),
                attack("malformed base64", 400, "token_malformed", id -> "eyJhbGciOiJSUzI1NiJ9.!!!not-base64!!!.c2ln"),
                attack("header is not JSON", 400, "token_malformed",
                        id -> TestTokens.b64("not json") + "." + TestTokens.b64("{\"id\":\"" + id + "\"}") + ".c2ln"),
                attack("not a JWT at all", 400, "token_malformed", id -> "hello"),
                // jose4j casts header values unchecked: each was a 500 with a ClassCastException
                attack("alg is an array", 400, "token_malformed", id -> withHeader("{\"alg\":[\"RS256\"]}", id)),
                attack("alg is a number", 400, "token_malformed", id -> withHeader("{\"alg\":256}", id)),
                attack("alg is an object", 400, "token_malformed", id -> withHeader("{\"alg\":{\"RS256\":1}}", id)),
                attack("alg is a boolean", 400, "token_malformed", id -> withHeader("{\"alg\":true}", id)),
                attack("kid is a number", 400, "token_malformed", id -> withHeader("{\"alg\":\"RS256\",\"kid\":1}", id)),
                attack("kid is an object", 400, "token_malformed",
                        id -> withHeader("{\"alg\":\"RS256\",\"kid\":{}}", id)),
                attack("typ is a number", 400, "token_malformed", id -> withHeader("{\"alg\":\"RS256\",\"typ\":1}", id)),
                attack("cty is an array", 400, "token_malformed", id -> withHeader("{\"alg\":\"RS256\",\"cty\":[]}", id)),
                attack("crit is a string", 400, "token_malformed",
                        id -> withHeader("{\"alg\":\"RS256\",\"crit\":\"exp\"}", id)),
                attack("crit holds a number", 400, "token_malformed",
                        id -> withHeader("{\"alg\":\"RS256\",\"crit\":[1]}", id)),
                attack("header is a JSON array", 400, "token_malformed", id -> withHeader("[\"RS256\"]", id)),
                attack("empty token", 400, "token_missing", id -> ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void refused(String name, int status, String reason, Function<String, String> tokenFor) {
        String externalId = "attack-" + UUID.randomUUID();
        String state = GatewayClient.startSignOn("acme", "/t");
        Response response = GatewayClient.returnWithToken("/auth/acme/return", tokenFor.apply(externalId), state);
        assertRefused(response, status, reason, externalId);
    }

    @Test
    void pemKeysAcceptTokensThatNameAKidAndBothRolloverKeys() {
        for (String key : new String[] {"acme", "acme-next"}) {
            String externalId = "pem-" + UUID.randomUUID();
            String token = TestTokens.signRs256(acme(externalId), TestTokens.key(key), "idp-key-2026");
            Response response = GatewayClient.returnWithToken("/auth/acme/return", token, null);
            assertEquals(302, response.statusCode(), key + ": " + response.asString());
        }
    }

    @Test
    void aTokenInTheQueryAndAnotherInTheFormIsRefusedNotOverridden() {
        String externalId = "twice-" + UUID.randomUUID();
        String good = TestTokens.acme(Map.of("id", externalId, "username", "tw" + externalId.substring(6, 16)));
        io.restassured.response.Response both = io.restassured.RestAssured.given().redirects().follow(false)
                .queryParam("token", "not-a-token").contentType("application/x-www-form-urlencoded")
                .formParam("token", good).post("/auth/acme/return");
        both.then().statusCode(400).body(org.hamcrest.Matchers.containsString("token_malformed"));
        assertNull(both.getCookie("community_session"));
    }

    @Test
    void replayedTokenIsRefused() {
        String externalId = "replay-" + UUID.randomUUID();
        String token = TestTokens.acme(Map.of("id", externalId, "username", "rp" + externalId.substring(7, 16)));
        assertEquals(302, GatewayClient.returnWithToken("/auth/acme/return", token, null).statusCode());
        Response again = GatewayClient.returnWithToken("/auth/acme/return", token, null);
        again.then().statusCode(401).body(containsString("replayed"));
        assertNull(again.getCookie("community_session"));
        assertEquals(1, db.sessionsFor(externalId), "only the first use opened a session");
    }

    @Test
    void tokenWithoutJtiIsSingleUseToo() {
        String externalId = "nojti-" + UUID.randomUUID();
        JwtClaims claims = acme(externalId);
        claims.unsetClaim("jti");
        claims.setClaim("username", "nj" + externalId.substring(6, 15));
        String token = sign(claims);
        assertEquals(302, GatewayClient.returnWithToken("/auth/acme/return", token, null).statusCode());
        GatewayClient.returnWithToken("/auth/acme/return", token, null).then().statusCode(401)
                .body(containsString("replayed"));
    }

    @Test
    void unknownKidTriggersOneJwksRefetchThenRefusal() {
        WireMock idp = new WireMock("localhost", wireMockPort);
        String externalId = "kid-" + UUID.randomUUID();
        // warm the cache with a good token
        String good = TestTokens.signRs256(TestTokens.claims(TestIdp.PARTNER_ISSUER,
                Map.of("id", "warm-" + UUID.randomUUID(), "username", "wm" + externalId.substring(4, 13))),
                TestTokens.key("partner"), "partner-key-1");
        assertEquals(302, GatewayClient.returnWithToken("/auth/partner/return", good, null).statusCode());
        int before = idp.find(getRequestedFor(urlEqualTo("/jwks.json"))).size();

        String unknownKid = TestTokens.signRs256(TestTokens.claims(TestIdp.PARTNER_ISSUER, Map.of("id", externalId)),
                TestTokens.key("rogue"), "key-nobody-published");
        Response response = GatewayClient.returnWithToken("/auth/partner/return", unknownKid, null);
        assertRefused(response, 401, "unknown_key", externalId);
        assertEquals(before + 1, idp.find(getRequestedFor(urlEqualTo("/jwks.json"))).size(),
                "exactly one refetch for the unknown kid");
    }

    @Test
    void jwksConnectorRefusesAKidThatIsNotAString() {
        String externalId = "kidnum-" + UUID.randomUUID();
        String token = TestTokens.signRs256WithHeader("{\"alg\":\"RS256\",\"kid\":[\"partner-key-1\"]}",
                TestTokens.claims(TestIdp.PARTNER_ISSUER, Map.of("id", externalId)), TestTokens.key("partner"));
        assertRefused(GatewayClient.returnWithToken("/auth/partner/return", token, null), 400, "token_malformed",
                externalId);
    }

    @Test
    void rotatedJwksKeyIsPickedUpByKid() {
        WireMock idp = new WireMock("localhost", wireMockPort);
        var rotated = TestTokens.key("rogue");
        try {
            idp.register(get(urlEqualTo("/jwks.json")).willReturn(aResponse()
                    .withHeader("Content-Type", "application/json")
                    .withBody(TestTokens.jwks(rotated, "partner-key-2"))));
            String externalId = "rot-" + UUID.randomUUID();
            String token = TestTokens.signRs256(TestTokens.claims(TestIdp.PARTNER_ISSUER,
                    Map.of("id", externalId, "username", "ro" + externalId.substring(4, 13))), rotated, "partner-key-2");
            assertEquals(302, GatewayClient.returnWithToken("/auth/partner/return", token, null).statusCode());
        } finally {
            restorePartnerJwks(idp);
        }
    }

    @Test
    void jwksEndpointDownIsReportedAsIdpUnavailable() {
        WireMock idp = new WireMock("localhost", wireMockPort);
        try {
            idp.register(get(urlEqualTo("/jwks.json")).willReturn(aResponse().withFault(
                    com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER)));
            String externalId = "down-" + UUID.randomUUID();
            String token = TestTokens.signRs256(TestTokens.claims(TestIdp.PARTNER_ISSUER, Map.of("id", externalId)),
                    TestTokens.key("partner"), "partner-key-never-seen");
            assertRefused(GatewayClient.returnWithToken("/auth/partner/return", token, null), 502, "idp_unavailable",
                    externalId);
        } finally {
            restorePartnerJwks(idp);
        }
    }

    @Test
    void hmacConnectorRefusesAnRsaSignedToken() {
        String externalId = "hm-" + UUID.randomUUID();
        String token = TestTokens.signRs256(TestTokens.claims(TestIdp.SHARED_ISSUER, Map.of("id", externalId)),
                TestTokens.key("acme"), null);
        assertRefused(GatewayClient.returnWithToken("/auth/shared/return", token, null), 401, "algorithm_not_allowed",
                externalId);
    }

    @Test
    void refusalsAnswerJsonToApiClients() {
        io.restassured.RestAssured.given().accept("application/json").queryParam("token", "hello")
                .get("/auth/acme/return")
                .then().statusCode(400)
                .body("error", org.hamcrest.Matchers.equalTo("token_malformed"))
                .body("message", org.hamcrest.Matchers.notNullValue());
    }

    private static void restorePartnerJwks(WireMock idp) {
        idp.register(get(urlEqualTo("/jwks.json")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json")
                .withBody(TestTokens.jwks(TestTokens.key("partner"), "partner-key-1"))));
    }

    private void assertRefused(Response response, int status, String reason, String externalId) {
        assertEquals(status, response.statusCode(), response.asString());
        assertTrue(response.asString().contains(reason), "page names the reason " + reason);
        assertTrue(!response.asString().contains("Exception"), "no stack trace");
        assertNull(response.getCookie("community_session"), "no session cookie");
        assertEquals(0, db.linksFor(externalId), "no account linked");
        assertEquals(0, db.sessionsFor(externalId), "no session stored");
    }

    private static Arguments attack(String name, int status, String reason, Function<String, String> tokenFor) {
        return Arguments.of(name, status, reason, tokenFor);
    }

    private static JwtClaims acme(String externalId) {
        Map<String, Object> data = new HashMap<>();
        data.put("id", externalId);
        data.put("username", "u" + externalId.substring(externalId.length() - 12));
        return TestTokens.acmeClaims(data);
    }

    private static String withHeader(String header, String externalId) {
        return TestTokens.signRs256WithHeader(header, acme(externalId), TestTokens.key("acme"));
    }

    private static String sign(JwtClaims claims) {
        return TestTokens.signRs256(claims, TestTokens.key("acme"), null);
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
