package org.communitysso.gateway.connector.oidc;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestOidc;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/** A member signs on through an OpenID Connect IdP and off again, for discovered and configured endpoints. */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class OidcRoundTripTest {

    @Test
    void discoveryConfiguredConnectorSignsOnThroughCodeExchangeAndUserinfo() {
        String sub = "a-" + UUID.randomUUID();
        TestOidc.Login login = TestOidc.login("oidc-a", "/topic/7?page=3", null);

        // the authorization request: discovered endpoint, our client, state, nonce, PKCE S256, no prompt
        assertEquals("/oidc-a/authorize", login.authorization().getPath());
        Map<String, String> q = login.query();
        assertEquals("code", q.get("response_type"));
        assertEquals(TestIdp.OIDC_A_CLIENT, q.get("client_id"));
        assertTrue(q.get("redirect_uri").endsWith("/auth/oidc-a/return"), q.get("redirect_uri"));
        assertEquals("openid email profile", q.get("scope"));
        assertEquals("S256", q.get("code_challenge_method"));
        assertTrue(q.get("state").length() >= 43 && q.get("nonce").length() >= 43);
        assertNotEquals(q.get("state"), q.get("nonce"));
        assertNull(q.get("prompt"));
        assertFalse(login.stateCookie().contains(q.get("state")), "the state parameter is not the cookie");

        // the IdP signs the member in: ID token with groups, profile from userinfo
        JwtClaims claims = TestOidc.idClaims("oidc-a", login.nonce(), sub);
        claims.setClaim("preferred_username", "oidca" + sub.substring(2, 10));
        claims.setStringListClaim("groups", "admins", "readers");
        String code = "code-" + UUID.randomUUID();
        String accessToken = "at-" + UUID.randomUUID();
        TestOidc.stubToken("oidc-a", code, TestOidc.sign("oidc-a", claims), accessToken);
        TestOidc.stubUserInfo("oidc-a", accessToken, Map.of("sub", sub, "email", sub + "@a.test",
                "email_verified", true, "picture", "https://cdn.a.test/" + sub + ".png"));

        Response back = TestOidc.back("/auth/oidc-a/return", Map.of("code", code, "state", login.state()),
                login.stateCookie());
        assertEquals(302, back.statusCode(), back.asString());
        assertTrue(back.header("Location").endsWith("/topic/7?page=3"), back.header("Location"));
        // one session cookie, ours; the sign-on state cleared; no protocol session cookie (q_session…) left
        back.getCookies().forEach((name, value) -> assertTrue(name.startsWith("community_"), name));
        back.getCookies().forEach((name, value) -> assertTrue(name.equals("community_session") || value.isEmpty(), name));
        assertEquals("", back.getCookie("community_sign_on"));
        String session = back.getCookie("community_session");
        GatewayClient.session(session).then().statusCode(200)
                .body("connector", equalTo("oidc-a"))
                .body("externalId", equalTo(sub))
                .body("username", equalTo("oidca" + sub.substring(2, 10)))
                .body("email", equalTo(sub + "@a.test"))
                .body("avatar", equalTo("https://cdn.a.test/" + sub + ".png"))
                .body("customRoles", equalTo(List.of("7")));

        // the code exchange carried the PKCE verifier that matches the challenge, and our redirect_uri
        LoggedRequest exchange = TestOidc.idp().find(postRequestedFor(urlEqualTo("/oidc-a/token"))).stream()
                .filter(r -> r.getBodyAsString().contains("code=" + code)).findFirst().orElseThrow();
        Map<String, String> form = TestOidc.query(URI.create("x:/?" + exchange.getBodyAsString()));
        assertEquals("authorization_code", form.get("grant_type"));
        assertEquals(q.get("redirect_uri"), form.get("redirect_uri"));
        assertEquals(q.get("code_challenge"), OidcConnector.s256(form.get("code_verifier")));
        String basic = Base64.getEncoder().encodeToString(
                (TestIdp.OIDC_A_CLIENT + ":oidc-a-secret-test-only").getBytes(StandardCharsets.UTF_8));
        assertEquals("Basic " + basic, exchange.getHeader("Authorization"));
    }

    @Test
    void explicitlyConfiguredConnectorSignsOn() {
        String sub = "b-" + UUID.randomUUID();
        TestOidc.Login login = TestOidc.login("oidc-b", "/b-target", null);
        assertEquals("login.oidc-b.test", login.authorization().getHost());
        assertEquals("community", login.query().get("tenant"), "the configured URL's own query is kept");
        assertEquals("openid email", login.query().get("scope"));

        JwtClaims claims = TestOidc.idClaims("oidc-b", login.nonce(), sub);
        claims.setClaim("preferred_username", "oidcb" + sub.substring(2, 10));
        String code = "code-" + UUID.randomUUID();
        TestOidc.stubToken("oidc-b", code, TestOidc.sign("oidc-b", claims), "at-b-" + code);
        TestOidc.stubUserInfo("oidc-b", "at-b-" + code, Map.of("sub", sub, "email", sub + "@b.test"));
        Response back = TestOidc.back("/auth/oidc-b/return", Map.of("code", code, "state", login.state()),
                login.stateCookie());
        assertEquals(302, back.statusCode(), back.asString());
        assertTrue(back.header("Location").endsWith("/b-target"));
        GatewayClient.session(back.getCookie("community_session")).then().statusCode(200)
                .body("connector", equalTo("oidc-b")).body("email", equalTo(sub + "@b.test"));
    }

    @Test
    void promptLoginReachesTheAuthorizationRequest() {
        TestOidc.Login login = TestOidc.login("oidc-a", "/x", "login");
        assertEquals("login", login.query().get("prompt"));
        TestOidc.Login other = TestOidc.login("oidc-b", "/x", "consent");
        assertNull(other.query().get("prompt"), "only prompt=login is passed on");
    }

    @Test
    void unverifiedEmailIsNotTaken() {
        String sub = "uv-" + UUID.randomUUID();
        Response back = TestOidc.signOn("oidc-a", sub, Map.of("preferred_username", "uv" + sub.substring(3, 11)),
                Map.of("email", sub + "@a.test", "email_verified", false), "/t");
        assertEquals(302, back.statusCode(), back.asString());
        GatewayClient.session(back.getCookie("community_session")).then().statusCode(200)
                .body("email", nullValue());
    }

    @Test
    void rpInitiatedLogoutSendsIdTokenHintAndPostLogoutRedirect() {
        String sub = "lo-" + UUID.randomUUID();
        TestOidc.Login login = TestOidc.login("oidc-a", "/t", null);
        JwtClaims claims = TestOidc.idClaims("oidc-a", login.nonce(), sub);
        claims.setClaim("preferred_username", "lo" + sub.substring(3, 11));
        String idToken = TestOidc.sign("oidc-a", claims);
        String code = "code-" + UUID.randomUUID();
        TestOidc.stubToken("oidc-a", code, idToken, "at-" + code);
        TestOidc.stubUserInfo("oidc-a", "at-" + code, Map.of("sub", sub));
        String session = TestOidc.back("/auth/oidc-a/return", Map.of("code", code, "state", login.state()),
                login.stateCookie()).getCookie("community_session");
        assertNotNull(session);

        Response logout = given().redirects().follow(false).cookie("community_session", session)
                .queryParam("return_url", "https://community.example.com/bye").get("/auth/logout");
        assertEquals(302, logout.statusCode());
        URI endSession = URI.create(logout.header("Location"));
        assertEquals(URI.create(TestOidc.issuer("oidc-a") + "/logout").getPath(), endSession.getPath());
        Map<String, String> q = TestOidc.query(endSession);
        assertEquals(idToken, q.get("id_token_hint"));
        // one fixed URL to register at the IdP, whatever page the member goes back to; the target waits under state
        String signedOff = "http://localhost:" + io.restassured.RestAssured.port + "/auth/oidc-a/signed-off";
        assertEquals(signedOff, q.get("post_logout_redirect_uri"));
        assertEquals(Set.of("id_token_hint", "client_id", "post_logout_redirect_uri", "state"), q.keySet());
        assertFalse(q.get("state").contains("community.example.com"), "state is an opaque id, not the target");
        assertEquals(TestIdp.OIDC_A_CLIENT, q.get("client_id"));
        GatewayClient.session(session).then().statusCode(401);

        // the IdP signs the member off and sends them to the registered URL with the state: on to their page
        Response backFromIdp = given().redirects().follow(false).queryParam("state", q.get("state"))
                .get(URI.create(signedOff).getPath());
        assertEquals(302, backFromIdp.statusCode());
        assertEquals("https://community.example.com/bye", backFromIdp.header("Location"));
        // the same state again (a replay, a reload): the landing page
        given().redirects().follow(false).queryParam("state", q.get("state")).get(URI.create(signedOff).getPath())
                .then().statusCode(302).header("Location", gateway("/"));

        // a hostile return_url never reaches the IdP: the landing page goes instead
        String other = TestOidc.signOn("oidc-b", "lo2-" + UUID.randomUUID(),
                Map.of("preferred_username", "lo2" + sub.substring(3, 11)), Map.of(), "/t").getCookie("community_session");
        Response hostile = given().redirects().follow(false).cookie("community_session", other)
                .queryParam("return_url", "https://evil.test/").get("/auth/logout");
        URI toB = URI.create(hostile.header("Location"));
        assertEquals("login.oidc-b.test", toB.getHost());
        Map<String, String> qb = TestOidc.query(toB);
        assertEquals("http://localhost:" + io.restassured.RestAssured.port + "/auth/oidc-b/signed-off",
                qb.get("post_logout_redirect_uri"));
        given().redirects().follow(false).queryParam("state", qb.get("state")).get("/auth/oidc-b/signed-off")
                .then().statusCode(302).header("Location", gateway("/"));
    }

    @Test
    void signedOffWithAForgedOrAnotherConnectorsStateLandsOnTheLandingPage() {
        String sub = "so-" + UUID.randomUUID();
        String session = TestOidc.signOn("oidc-a", sub, Map.of("preferred_username", "so" + sub.substring(3, 11)),
                Map.of(), "/t").getCookie("community_session");
        Response logout = given().redirects().follow(false).cookie("community_session", session)
                .queryParam("return_url", "/topic/9").get("/auth/logout");
        String state = TestOidc.query(URI.create(logout.header("Location"))).get("state");

        for (String forged : new String[] {"forged", state + "x", "", "x".repeat(500)}) {
            given().redirects().follow(false).queryParam("state", forged).get("/auth/oidc-a/signed-off")
                    .then().statusCode(302).header("Location", gateway("/"));
        }
        given().redirects().follow(false).get("/auth/oidc-a/signed-off").then().statusCode(302).header("Location", gateway("/"));
        // oidc-a's kept target is not oidc-b's to hand out, and asking for it there does not use it up
        given().redirects().follow(false).queryParam("state", state).get("/auth/oidc-b/signed-off")
                .then().statusCode(302).header("Location", gateway("/"));
        given().redirects().follow(false).queryParam("state", state).get("/auth/oidc-a/signed-off")
                .then().statusCode(302).header("Location", gateway("/topic/9"));
    }

    /** A path on the gateway's site, as the browser resolves a redirect to it. */
    private static String gateway(String path) {
        return "http://localhost:" + io.restassured.RestAssured.port + path;
    }

    @Test
    void idpWithOnlyTheSharedReturnUrlRegisteredSignsOnThroughIt() {
        String sub = "sh-" + UUID.randomUUID();
        // the stand-in IdP refuses any redirect_uri but the registered shared one
        TestOidc.Login login = TestOidc.login("oidc-shared", "/shared/oidc", null);
        assertEquals("https://community.example.com/auth/openidconnect/return", login.query().get("redirect_uri"));
        JwtClaims claims = TestOidc.idClaims("oidc-shared", login.nonce(), sub);
        claims.setClaim("preferred_username", "sh" + sub.substring(3, 11));
        String code = "code-" + UUID.randomUUID();
        // and its token endpoint answers only with that redirect_uri
        TestOidc.stubToken("oidc-shared", code, TestOidc.sign("oidc-shared", claims), "at-" + code);

        Response back = TestOidc.back(URI.create(login.query().get("redirect_uri")).getPath(),
                Map.of("code", code, "state", login.state()), login.stateCookie());
        assertEquals(302, back.statusCode(), back.asString());
        assertTrue(back.header("Location").endsWith("/shared/oidc"), back.header("Location"));
        GatewayClient.session(back.getCookie("community_session")).then().statusCode(200)
                .body("connector", equalTo("oidc-shared")).body("externalId", equalTo(sub));
    }

    @Test
    void twoConnectorsAtTheSharedReturnUrlEachKeepTheirOwnKeysClientsAndSessions() {
        String subA = "sa-" + UUID.randomUUID();
        String subB = "sb-" + UUID.randomUUID();
        TestOidc.Login loginA = TestOidc.login("oidc-a", "/from-a", null);
        TestOidc.Login loginB = TestOidc.login("oidc-b", "/from-b", null);
        assertEquals(TestIdp.OIDC_A_CLIENT, loginA.query().get("client_id"));
        assertEquals(TestIdp.OIDC_B_CLIENT, loginB.query().get("client_id"));

        JwtClaims a = TestOidc.idClaims("oidc-a", loginA.nonce(), subA);
        a.setClaim("preferred_username", "sa" + subA.substring(3, 11));
        JwtClaims b = TestOidc.idClaims("oidc-b", loginB.nonce(), subB);
        b.setClaim("preferred_username", "sb" + subB.substring(3, 11));
        String codeA = "code-" + UUID.randomUUID();
        String codeB = "code-" + UUID.randomUUID();
        TestOidc.stubToken("oidc-a", codeA, TestOidc.sign("oidc-a", a), "at-" + codeA);
        TestOidc.stubUserInfo("oidc-a", "at-" + codeA, Map.of("sub", subA));
        TestOidc.stubToken("oidc-b", codeB, TestOidc.sign("oidc-b", b), "at-" + codeB);
        TestOidc.stubUserInfo("oidc-b", "at-" + codeB, Map.of("sub", subB));

        Response backB = TestOidc.back("/auth/openidconnect/return", Map.of("code", codeB, "state", loginB.state()),
                loginB.stateCookie());
        Response backA = TestOidc.back("/auth/openidconnect/return", Map.of("code", codeA, "state", loginA.state()),
                loginA.stateCookie());
        assertEquals(302, backA.statusCode(), backA.asString());
        assertEquals(302, backB.statusCode(), backB.asString());
        assertTrue(backA.header("Location").endsWith("/from-a"));
        assertTrue(backB.header("Location").endsWith("/from-b"));
        GatewayClient.session(backA.getCookie("community_session")).then()
                .body("connector", equalTo("oidc-a")).body("externalId", equalTo(subA));
        GatewayClient.session(backB.getCookie("community_session")).then()
                .body("connector", equalTo("oidc-b")).body("externalId", equalTo(subB));

        // a token B's IdP signed is no good for A, even with A's nonce and audience
        TestOidc.Login again = TestOidc.login("oidc-a", "/x", null);
        JwtClaims forA = TestOidc.idClaims("oidc-a", again.nonce(), subB);
        String code = "code-" + UUID.randomUUID();
        TestOidc.stubToken("oidc-a", code, TestOidc.sign("oidc-b", forA), "at-" + code);
        TestOidc.back("/auth/openidconnect/return", Map.of("code", code, "state", again.state()), again.stateCookie())
                .then().statusCode(401).body(containsString("unknown_key"));
    }

    @Test
    void idpErrorAnswerGivesAPageWithItsReason() {
        TestOidc.Login login = TestOidc.login("oidc-a", "/t", null);
        Response back = TestOidc.back("/auth/oidc-a/return", Map.of("error", "access_denied",
                "error_description", "<script>alert(1)</script>", "state", login.state()), login.stateCookie());
        assertEquals(400, back.statusCode());
        assertTrue(back.asString().contains("idp_error"));
        assertFalse(back.asString().contains("<script>alert"), "IdP text is never echoed");
        assertFalse(back.asString().contains("Exception"));
        assertNull(back.getCookie("community_session"));

        TestOidc.Login json = TestOidc.login("oidc-a", "/t", null);
        given().redirects().follow(false).accept("application/json").cookie("community_sign_on", json.stateCookie())
                .queryParam("error", "login_required").queryParam("state", json.state())
                .get("/auth/oidc-a/return").then().statusCode(400).body("error", equalTo("idp_error"));
    }
}
