package org.communitysso.gateway.connector.oidc;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.WireMock;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.communitysso.gateway.testing.Db;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestOidc;
import org.communitysso.gateway.testing.TestTokens;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad IdP answer is refused with its reason code and leaves no account link and no session behind. */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class RejectsBadIdTokensTest {

    @Inject
    Db db;

    /** Builds the ID token the IdP returns, from claims that are right for this sign-on. */
    static Stream<Arguments> badIdTokens() {
        return Stream.of(
                bad("signed by another key", 401, "signature_invalid",
                        (claims, nonce) -> TestTokens.signRs256(claims, TestTokens.key("rogue"), TestIdp.OIDC_A_KID)),
                bad("payload changed after signing", 401, "signature_invalid", (claims, nonce) -> {
                    String[] parts = TestOidc.sign("oidc-a", claims).split("\\.");
                    claims.setClaim("groups", "admins");
                    return parts[0] + "." + TestTokens.b64(claims.toJson()) + "." + parts[2];
                }),
                bad("alg none", 401, "algorithm_not_allowed", (claims, nonce) -> TestTokens.unsigned(claims)),
                bad("wrong issuer", 401, "issuer_invalid", (claims, nonce) -> {
                    claims.setIssuer(TestOidc.issuer("oidc-b"));
                    return TestOidc.sign("oidc-a", claims);
                }),
                bad("wrong audience", 401, "audience_invalid", (claims, nonce) -> {
                    claims.setAudience(TestIdp.OIDC_B_CLIENT);
                    return TestOidc.sign("oidc-a", claims);
                }),
                bad("another client as azp", 401, "audience_invalid", (claims, nonce) -> {
                    claims.setAudience(TestIdp.OIDC_A_CLIENT, TestIdp.OIDC_B_CLIENT);
                    claims.setClaim("azp", TestIdp.OIDC_B_CLIENT);
                    return TestOidc.sign("oidc-a", claims);
                }),
                bad("expired", 401, "token_expired", (claims, nonce) -> {
                    claims.setIssuedAt(NumericDate.fromSeconds(NumericDate.now().getValue() - 600));
                    claims.setExpirationTime(NumericDate.fromSeconds(NumericDate.now().getValue() - 120));
                    return TestOidc.sign("oidc-a", claims);
                }),
                bad("issued in the future", 401, "token_not_yet_valid", (claims, nonce) -> {
                    claims.setIssuedAt(NumericDate.fromSeconds(NumericDate.now().getValue() + 600));
                    claims.setExpirationTimeMinutesInTheFuture(20);
                    return TestOidc.sign("oidc-a", claims);
                }),
                bad("no exp", 400, "token_malformed", (claims, nonce) -> {
                    claims.unsetClaim("exp");
                    return TestOidc.sign("oidc-a", claims);
                }),
                bad("nonce of another sign-on", 401, "nonce_invalid", (claims, nonce) -> {
                    claims.setClaim("nonce", "not-" + nonce);
                    return TestOidc.sign("oidc-a", claims);
                }),
                bad("no nonce", 401, "nonce_invalid", (claims, nonce) -> {
                    claims.unsetClaim("nonce");
                    return TestOidc.sign("oidc-a", claims);
                }),
                // jose4j casts header values unchecked: these were a 500 with a ClassCastException
                bad("alg is an array", 400, "token_malformed", (claims, nonce) -> withHeader("{\"alg\":[\"RS256\"]}", claims)),
                bad("alg is a number", 400, "token_malformed", (claims, nonce) -> withHeader("{\"alg\":1}", claims)),
                bad("kid is a number", 400, "token_malformed",
                        (claims, nonce) -> withHeader("{\"alg\":\"RS256\",\"kid\":1}", claims)),
                bad("crit holds an object", 400, "token_malformed",
                        (claims, nonce) -> withHeader("{\"alg\":\"RS256\",\"kid\":\"a-1\",\"crit\":[{}]}", claims)));
    }

    private static String withHeader(String header, JwtClaims claims) {
        return TestTokens.signRs256WithHeader(header, claims, TestTokens.key("oidc-a"));
    }

    private static Arguments bad(String name, int status, String reason, BiFunction<JwtClaims, String, String> token) {
        return Arguments.of(name, status, reason, token);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badIdTokens")
    void badIdTokenIsRefused(String name, int status, String reason, BiFunction<JwtClaims, String, String> token) {
        String sub = "bad-" + UUID.randomUUID();
        TestOidc.Login login = TestOidc.login("oidc-a", "/t", null);
        String code = "code-" + UUID.randomUUID();
        TestOidc.stubToken("oidc-a", code, token.apply(TestOidc.idClaims("oidc-a", login.nonce(), sub), login.nonce()),
                "at-" + code);
        TestOidc.stubUserInfo("oidc-a", "at-" + code, Map.of("sub", sub));
        Response back = TestOidc.back("/auth/oidc-a/return", Map.of("code", code, "state", login.state()),
                login.stateCookie());
        assertRefused(back, status, reason, sub);
    }

    @Test
    void missingStateCookieIsRefused() {
        Signed signed = signed();
        assertRefused(TestOidc.back("/auth/oidc-a/return", Map.of("code", signed.code, "state", signed.login.state()),
                null), 400, "state_invalid", signed.sub);
    }

    @Test
    void missingStateParameterIsRefused() {
        Signed signed = signed();
        assertRefused(TestOidc.back("/auth/oidc-a/return", Map.of("code", signed.code), signed.login.stateCookie()),
                400, "state_invalid", signed.sub);
    }

    @Test
    void stateOfAnotherSignOnIsRefused() {
        Signed signed = signed();
        TestOidc.Login other = TestOidc.login("oidc-a", "/t", null);
        // CSRF: the attacker's code and state, the victim's cookie
        assertRefused(TestOidc.back("/auth/oidc-a/return", Map.of("code", signed.code, "state", other.state()),
                signed.login.stateCookie()), 400, "state_invalid", signed.sub);
    }

    @Test
    void forgedStateCookieIsRefused() {
        Signed signed = signed();
        String cookie = signed.login.stateCookie();
        String forged = cookie.substring(0, cookie.indexOf('.') + 1) + "AAAA" + cookie.substring(cookie.indexOf('.') + 5);
        assertRefused(TestOidc.back("/auth/oidc-a/return", Map.of("code", signed.code, "state", signed.login.state()),
                forged), 400, "state_invalid", signed.sub);
    }

    @Test
    void stateOfAnotherConnectorIsRefused() {
        Signed signed = signed();
        TestOidc.Login atB = TestOidc.login("oidc-b", "/t", null);
        assertRefused(TestOidc.back("/auth/oidc-a/return", Map.of("code", signed.code, "state", atB.state()),
                atB.stateCookie()), 400, "state_invalid", signed.sub);
    }

    @Test
    void codeUsedTwiceIsRefused() {
        Signed signed = signed();
        Response first = TestOidc.back("/auth/oidc-a/return", Map.of("code", signed.code, "state", signed.login.state()),
                signed.login.stateCookie());
        assertEquals(302, first.statusCode(), first.asString());
        long sessions = db.sessionsFor(signed.sub);

        // same code, a fresh sign-on of the same browser: the gateway refuses before the IdP is asked
        TestOidc.Login again = TestOidc.login("oidc-a", "/t", null);
        Response second = TestOidc.back("/auth/oidc-a/return", Map.of("code", signed.code, "state", again.state()),
                again.stateCookie());
        assertEquals(401, second.statusCode());
        assertTrue(second.asString().contains("replayed"));
        assertNull(second.getCookie("community_session"));
        assertEquals(sessions, db.sessionsFor(signed.sub));

        // same code and the same (used) state
        Response third = TestOidc.back("/auth/oidc-a/return", Map.of("code", signed.code, "state", signed.login.state()),
                signed.login.stateCookie());
        assertEquals(400, third.statusCode());
        assertEquals(sessions, db.sessionsFor(signed.sub));
    }

    @Test
    void codeTheIdpRefusesIsRefused() {
        TestOidc.Login login = TestOidc.login("oidc-a", "/t", null);
        String code = "code-" + UUID.randomUUID();
        TestOidc.idp().register(post(urlEqualTo("/oidc-a/token"))
                .withRequestBody(WireMock.matching("(.*&)?code=" + code + "(&.*)?"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"Code not valid\"}")));
        assertRefused(TestOidc.back("/auth/oidc-a/return", Map.of("code", code, "state", login.state()),
                login.stateCookie()), 400, "code_invalid", "nobody");
    }

    @Test
    void unknownKidIsRefusedAfterOneJwksRefetch() {
        WireMock idp = TestOidc.idp();
        // make sure the set is cached, then count fetches
        Response warm = TestOidc.signOn("oidc-a", "warm-" + UUID.randomUUID(), Map.of("preferred_username",
                "warm" + UUID.randomUUID().toString().substring(0, 8)), Map.of(), "/t");
        assertEquals(302, warm.statusCode(), warm.asString());
        idp.resetRequests();

        String sub = "kid-" + UUID.randomUUID();
        TestOidc.Login login = TestOidc.login("oidc-a", "/t", null);
        String code = "code-" + UUID.randomUUID();
        TestOidc.stubToken("oidc-a", code, TestTokens.signRs256(TestOidc.idClaims("oidc-a", login.nonce(), sub),
                TestTokens.key("oidc-a2"), "a-unknown"), "at-" + code);
        assertRefused(TestOidc.back("/auth/oidc-a/return", Map.of("code", code, "state", login.state()),
                login.stateCookie()), 401, "unknown_key", sub);
        assertEquals(1, idp.find(getRequestedFor(urlEqualTo("/oidc-a/jwks"))).size());
    }

    @Test
    void rotatedKeyIsFoundByRefetchingTheJwks() {
        WireMock idp = TestOidc.idp();
        String rotated = TestTokens.jwks(TestTokens.key("oidc-a2"), "a-2");
        String current = TestTokens.jwks(TestTokens.key("oidc-a"), TestIdp.OIDC_A_KID);
        // the IdP now publishes both keys and signs with the new one
        String both = current.substring(0, current.lastIndexOf(']')) + "," + rotated.substring(rotated.indexOf('[') + 1);
        var stub = idp.register(get(urlEqualTo("/oidc-a/jwks")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody(both)));
        try {
            String sub = "rot-" + UUID.randomUUID();
            TestOidc.Login login = TestOidc.login("oidc-a", "/rotated", null);
            JwtClaims claims = TestOidc.idClaims("oidc-a", login.nonce(), sub);
            claims.setClaim("preferred_username", "rot" + sub.substring(4, 12));
            String code = "code-" + UUID.randomUUID();
            TestOidc.stubToken("oidc-a", code, TestTokens.signRs256(claims, TestTokens.key("oidc-a2"), "a-2"),
                    "at-" + code);
            TestOidc.stubUserInfo("oidc-a", "at-" + code, Map.of("sub", sub));
            Response back = TestOidc.back("/auth/oidc-a/return", Map.of("code", code, "state", login.state()),
                    login.stateCookie());
            assertEquals(302, back.statusCode(), back.asString());
            assertTrue(back.header("Location").endsWith("/rotated"));
        } finally {
            idp.removeStubMapping(stub);
        }
    }

    @Test
    void userinfoOfAnotherSubjectIsRefused() {
        String sub = "ui-" + UUID.randomUUID();
        TestOidc.Login login = TestOidc.login("oidc-a", "/t", null);
        String code = "code-" + UUID.randomUUID();
        TestOidc.stubToken("oidc-a", code, TestOidc.sign("oidc-a", TestOidc.idClaims("oidc-a", login.nonce(), sub)),
                "at-" + code);
        TestOidc.stubUserInfo("oidc-a", "at-" + code, Map.of("sub", "someone-else", "email", "victim@a.test"));
        assertRefused(TestOidc.back("/auth/oidc-a/return", Map.of("code", code, "state", login.state()),
                login.stateCookie()), 401, "userinfo_mismatch", sub);
    }

    private record Signed(TestOidc.Login login, String code, String sub) {
    }

    /** A sign-on the IdP answered correctly; the test then tampers with how it comes back. */
    private static Signed signed() {
        String sub = "st-" + UUID.randomUUID();
        TestOidc.Login login = TestOidc.login("oidc-a", "/t", null);
        JwtClaims claims = TestOidc.idClaims("oidc-a", login.nonce(), sub);
        claims.setClaim("preferred_username", "st" + sub.substring(3, 11));
        String code = "code-" + UUID.randomUUID();
        TestOidc.stubToken("oidc-a", code, TestOidc.sign("oidc-a", claims), "at-" + code);
        TestOidc.stubUserInfo("oidc-a", "at-" + code, Map.of("sub", sub));
        return new Signed(login, code, sub);
    }

    private void assertRefused(Response back, int status, String reason, String sub) {
        assertEquals(status, back.statusCode(), back.asString());
        assertTrue(back.asString().contains(reason), "expected " + reason + " in " + back.asString());
        assertTrue(!back.asString().contains("Exception"), "no stack trace");
        assertNull(back.getCookie("community_session"));
        assertEquals(0, db.sessionsFor(sub));
        assertEquals(0, db.linksFor(sub));
    }
}
