package org.communitysso.gateway.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.Cookie;
import io.restassured.response.Response;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestTokens;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class SignOnRoundTripTest {

    @Test
    void memberSignsOnStaysSignedOnAndSignsOff() {
        String externalId = "rt-" + UUID.randomUUID();
        String username = "roundtrip" + externalId.substring(3, 11);

        // 1. login: 302 to the IdP's sign-on URL carrying our return endpoint, no query string of its own
        Response login = given().redirects().follow(false)
                .queryParam("return_url", "/topic/42?page=2")
                .get("/auth/acme/login");
        assertEquals(302, login.statusCode());
        URI idp = URI.create(login.header("Location"));
        assertEquals("idp.acme.test", idp.getHost());
        assertEquals("/sso", idp.getPath());
        String returnUrl = query(idp, "return_url");
        assertTrue(returnUrl.endsWith("/auth/acme/return"), returnUrl);
        assertNull(URI.create(returnUrl).getQuery(), "the IdP appends ?token= itself");
        Cookie state = login.getDetailedCookie("community_sign_on");
        assertNotNull(state);
        assertTrue(state.isHttpOnly());
        assertTrue(!state.getValue().contains("topic"), "the target is kept by the gateway, not in the cookie");

        // 2. the IdP redirects to return_url?token=…
        String token = TestTokens.acme(Map.of("id", externalId, "username", username, "email",
                externalId + "@acme.test", "customRoles", "1, 2, 3", "avatar", "https://cdn.acme.test/a.png"));
        Response back = GatewayClient.returnWithToken(URI.create(returnUrl).getPath(), token, state.getValue());
        assertEquals(302, back.statusCode(), back.asString());
        assertTrue(back.header("Location").endsWith("/topic/42?page=2"), back.header("Location"));
        Cookie session = back.getDetailedCookie("community_session");
        assertNotNull(session);
        assertTrue(session.isHttpOnly());
        assertEquals("Lax", session.getSameSite());
        assertTrue(session.getValue().length() >= 43, "at least 256 bits");

        // 3. the community asks who is signed in
        GatewayClient.session(session.getValue()).then().statusCode(200)
                .body("username", equalTo(username))
                .body("email", equalTo(externalId + "@acme.test"))
                .body("customRoles", equalTo(java.util.List.of("1", "2", "3")))
                .body("avatar", equalTo("https://cdn.acme.test/a.png"))
                .body("connector", equalTo("acme"))
                .body("externalId", equalTo(externalId))
                .body("userId", not(equalTo(null)));
        String userId = GatewayClient.session(session.getValue()).jsonPath().getString("userId");

        // 4. nginx auth_request
        GatewayClient.check(session.getValue()).then().statusCode(202)
                .header("X-Community-User-Id", userId)
                .header("X-Community-Username", username)
                .header("X-Community-Email", externalId + "@acme.test")
                .header("X-Community-Roles", "1,2,3")
                .header("X-Community-Avatar", "https://cdn.acme.test/a.png");

        // 5. sign-off: revoked, cookie cleared, sent to the IdP's sign-off with return_url
        Response logout = given().redirects().follow(false).cookie("community_session", session.getValue())
                .queryParam("return_url", "https://community.example.com/bye")
                .get("/auth/logout");
        assertEquals(302, logout.statusCode());
        URI signOff = URI.create(logout.header("Location"));
        assertEquals("idp.acme.test", signOff.getHost());
        assertEquals("/logout", signOff.getPath());
        assertEquals("community", query(signOff, "brand"));
        assertEquals("https://community.example.com/bye", query(signOff, "return_url"));
        assertEquals("", logout.getDetailedCookie("community_session").getValue());

        GatewayClient.session(session.getValue()).then().statusCode(401).body("error", equalTo("no_session"));
        GatewayClient.check(session.getValue()).then().statusCode(401);
    }

    @Test
    void promptLoginIsPassedToTheIdp() {
        Response login = given().redirects().follow(false).queryParam("return_url", "/x").queryParam("prompt", "login")
                .get("/auth/acme/login");
        assertEquals("login", query(URI.create(login.header("Location")), "prompt"));
        Response plain = given().redirects().follow(false).get("/auth/acme/login");
        assertNull(query(URI.create(plain.header("Location")), "prompt"));
    }

    @Test
    void identityHeadersPercentEncodeWhatIsNotPlainAscii() {
        assertEquals("Ren%C3%A9e", SessionResource.headerValue("Renée"));
        assertEquals("a%25b@example.com", SessionResource.headerValue("a%b@example.com"));
        assertEquals("plain.name", SessionResource.headerValue("plain.name"));
    }

    @Test
    void signOffWithoutIdpSignOffUrlGoesStraightToTheTarget() {
        String id = "so-" + UUID.randomUUID();
        String token = TestTokens.sharedSecretToken(Map.of("id", id, "username", "so" + id.substring(3, 12)));
        String state = GatewayClient.startSignOn("shared", "/here");
        Response back = GatewayClient.returnWithToken("/auth/shared/return", token, state);
        String session = back.getCookie("community_session");
        given().redirects().follow(false).cookie("community_session", session).queryParam("return_url", "//evil.test")
                .post("/auth/logout")
                .then().statusCode(302).header("Location", equalTo(landingPage()));
        GatewayClient.session(session).then().statusCode(401);
    }

    @Test
    void unsolicitedTokenSignsOnAndLandsOnTheLandingPage() {
        String id = "un-" + UUID.randomUUID();
        Response back = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", id, "username", "un" + id.substring(3, 12))), null);
        assertEquals(302, back.statusCode(), back.asString());
        assertEquals(landingPage(), back.header("Location"));
        GatewayClient.session(back.getCookie("community_session")).then().statusCode(200);
    }

    @Test
    void tokenPostedAsAFormIsAccepted() {
        String id = "post-" + UUID.randomUUID();
        String state = GatewayClient.startSignOn("acme", "/posted");
        Response back = given().redirects().follow(false).cookie("community_sign_on", state)
                .contentType("application/x-www-form-urlencoded")
                .formParam("token", TestTokens.acme(Map.of("id", id, "username", "po" + id.substring(5, 14))))
                .post("/auth/acme/return");
        assertEquals(302, back.statusCode(), back.asString());
        assertTrue(back.header("Location").endsWith("/posted"));
    }

    @Test
    void sharedTokenReturnFindsTheConnectorByIssuer() {
        String id = "alias-" + UUID.randomUUID();
        String state = GatewayClient.startSignOn("shared", "/via-alias");
        Response back = GatewayClient.returnWithToken("/auth/token/return",
                TestTokens.sharedSecretToken(Map.of("id", id, "username", "al" + id.substring(6, 15))), state);
        assertEquals(302, back.statusCode(), back.asString());
        assertTrue(back.header("Location").endsWith("/via-alias"));
        GatewayClient.session(back.getCookie("community_session")).then().body("connector", equalTo("shared"));

        // no state, found by iss alone
        String other = "alias2-" + UUID.randomUUID();
        Response unsolicited = GatewayClient.returnWithToken("/auth/token/return",
                TestTokens.acme(Map.of("id", other, "username", "al" + other.substring(7, 16))), null);
        assertEquals(302, unsolicited.statusCode(), unsolicited.asString());
        GatewayClient.session(unsolicited.getCookie("community_session")).then().body("connector", equalTo("acme"));
    }

    @Test
    void sharedTokenReturnWithAnUnknownIssuerIsAmbiguous() {
        String token = TestTokens.signRs256(TestTokens.claims("https://nobody.test", Map.of("id", "x")),
                TestTokens.key("acme"), null);
        GatewayClient.returnWithToken("/auth/token/return", token, null).then()
                .statusCode(400).body(containsString("ambiguous_connector"));
    }

    @Test
    void stateIsSingleUse() {
        String id = "once-" + UUID.randomUUID();
        String state = GatewayClient.startSignOn("acme", "/first-target");
        Response first = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", id, "username", "on" + id.substring(5, 14))), state);
        assertTrue(first.header("Location").endsWith("/first-target"));
        // a second, valid token with the same state cookie is treated as unsolicited
        Response second = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", id)), state);
        assertEquals(302, second.statusCode());
        assertEquals(landingPage(), second.header("Location"));
    }

    @Test
    void forgedStateCookieIsIgnored() {
        String state = GatewayClient.startSignOn("acme", "/target");
        String forged = state.substring(0, state.indexOf('.') + 1) + "AAAA" + state.substring(state.indexOf('.') + 5);
        String id = "forged-" + UUID.randomUUID();
        Response back = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", id, "username", "fo" + id.substring(7, 16))), forged);
        assertEquals(landingPage(), back.header("Location"));
    }

    @Test
    void signInPageListsLiveConnectorsOnly() {
        given().queryParam("return_url", "/t").get("/auth/login").then().statusCode(200)
                .body(containsString("Sign in with Acme"))
                .body(containsString("/auth/acme/login?return_url=%2Ft"))
                .body(containsString("Sign in with Partner"))
                .body(not(containsString("connector-mapped")));
    }

    @Test
    void unknownConnectorGivesAPageWithItsReason() {
        given().redirects().follow(false).get("/auth/nope/login").then().statusCode(404)
                .body(containsString("unknown_connector"));
        given().accept("application/json").get("/auth/nope/login").then().statusCode(404)
                .body("error", equalTo("unknown_connector"));
    }

    @Test
    void hostileReturnUrlFallsBackToTheLandingPage() {
        Response login = given().redirects().follow(false).queryParam("return_url", "https://evil.test/phish")
                .get("/auth/acme/login");
        String id = "hr-" + UUID.randomUUID();
        Response back = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", id, "username", "hr" + id.substring(3, 12))),
                login.getCookie("community_sign_on"));
        assertEquals(landingPage(), back.header("Location"));
    }

    /** gateway.landing-url ("/") as the browser sees it. */
    private static String landingPage() {
        return "http://localhost:" + io.restassured.RestAssured.port + "/";
    }

    private static String query(URI uri, String name) {
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            if (pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
