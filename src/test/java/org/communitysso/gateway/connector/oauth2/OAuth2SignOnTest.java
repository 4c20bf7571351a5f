package org.communitysso.gateway.connector.oauth2;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.communitysso.gateway.testing.Db;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.OAuthBrowser;
import org.communitysso.gateway.testing.TestIdp;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SPEC 2.2: custom OAuth2 providers through pac4j, against a WireMock stand-in. */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class OAuth2SignOnTest {

    @ConfigProperty(name = "test.wiremock.port")
    int port;
    @Inject
    Db db;

    WireMock idp;

    @BeforeEach
    void connect() {
        idp = new WireMock("localhost", port);
    }

    @Test
    void roundTripWithNestedProfileBasicAuthAndPkce() throws Exception {
        String id = "gh-" + UUID.randomUUID();
        String code = "code-" + UUID.randomUUID();
        stubToken("/codehub/token", code, "at-" + id);
        stubProfile(get(urlEqualTo("/codehub/user")), "at-" + id, nestedProfile(id));

        OAuthBrowser.Started started = OAuthBrowser.login("github", "/topic/7");
        assertEquals("/codehub/authorize", started.authorizeUrl().getPath());
        assertEquals("code", started.query().get("response_type"));
        assertEquals("codehub-client", started.query().get("client_id"));
        assertEquals("read:user user:email", started.query().get("scope"));
        assertTrue(started.query().get("redirect_uri").endsWith("/auth/github/return"), started.query().toString());
        assertEquals("S256", started.query().get("code_challenge_method"));

        Response back = OAuthBrowser.back("/auth/github/return", started.stateCookie(), "code", code, "state", started.state());
        assertEquals(302, back.statusCode(), back.asString());
        assertTrue(back.header("Location").endsWith("/topic/7"));
        assertEquals(1, back.getDetailedCookies().asList().stream().filter(c -> !c.getValue().isEmpty()).count(),
                "only the gateway's session cookie is set: " + back.getDetailedCookies());
        GatewayClient.session(back.getCookie("community_session")).then().statusCode(200)
                .body("externalId", org.hamcrest.Matchers.equalTo(id))
                .body("username", org.hamcrest.Matchers.equalTo("octo" + id.substring(3, 11)))
                .body("email", org.hamcrest.Matchers.equalTo(id + "@codehub.test"))
                .body("avatar", org.hamcrest.Matchers.equalTo("https://avatars.codehub.test/" + id))
                .body("connector", org.hamcrest.Matchers.equalTo("github"));

        LoggedRequest token = tokenRequest("/codehub/token", code);
        String basic = Base64.getEncoder().encodeToString(("codehub-client:" + TestIdp.OAUTH2_SECRET)
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("Basic " + basic, token.getHeader("Authorization"));
        Map<String, String> form = OAuthBrowser.form(token.getBodyAsString());
        assertEquals("authorization_code", form.get("grant_type"));
        assertEquals(started.query().get("redirect_uri"), form.get("redirect_uri"));
        assertNull(form.get("client_secret"), "secret only in the Authorization header");
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(form.get("code_verifier").getBytes(StandardCharsets.US_ASCII)));
        assertEquals(started.query().get("code_challenge"), challenge, "PKCE verifier matches the challenge");
    }

    @Test
    void roundTripWithClientSecretInTheBodyAndPostProfile() {
        String id = "fo-" + UUID.randomUUID();
        String code = "code-" + UUID.randomUUID();
        stubToken("/forum/token", code, "at-" + id);
        stubProfile(post(urlEqualTo("/forum/me")), "at-" + id,
                "{\"id\":\"" + id + "\",\"username\":\"fo" + id.substring(3, 12) + "\",\"customRoles\":\"5, 6\"}");

        OAuthBrowser.Started started = OAuthBrowser.login("forum", "https://community.example.com/x");
        assertEquals("acme", started.query().get("tenant"), "the authorization URL's own query is kept");
        assertEquals("community", started.query().get("audience"), "extra parameters are sent");
        assertNull(started.query().get("code_challenge"), "PKCE is off for this provider");

        Response back = OAuthBrowser.back("/auth/oauth2/return", started.stateCookie(), "code", code, "state", started.state());
        assertEquals(302, back.statusCode(), back.asString());
        assertEquals("https://community.example.com/x", back.header("Location"));
        GatewayClient.session(back.getCookie("community_session")).then()
                .body("customRoles", org.hamcrest.Matchers.equalTo(List.of("5", "6")))
                .body("connector", org.hamcrest.Matchers.equalTo("forum"));

        LoggedRequest token = tokenRequest("/forum/token", code);
        assertNull(token.getHeader("Authorization"));
        Map<String, String> form = OAuthBrowser.form(token.getBodyAsString());
        assertEquals("forum-client", form.get("client_id"));
        assertEquals(TestIdp.OAUTH2_SECRET, form.get("client_secret"));
        idp.verifyThat(postRequestedFor(urlEqualTo("/forum/me")).withHeader("Authorization", equalTo("Bearer at-" + id)));
    }

    @Test
    void formEncodedTokenAnswersAndNullProfileFieldsAreAccepted() {
        String id = "form-" + UUID.randomUUID();
        String code = "code-" + UUID.randomUUID();
        idp.register(post(urlEqualTo("/codehub/token")).withRequestBody(
                com.github.tomakehurst.wiremock.client.WireMock.containing("code=" + code)).atPriority(1)
                .willReturn(aResponse().withHeader("Content-Type", "application/x-www-form-urlencoded")
                        .withBody("access_token=at-" + id + "&scope=read%3Auser&token_type=bearer")));
        stubProfile(get(urlEqualTo("/codehub/user")), "at-" + id, "{\"data\":{\"account\":{\"id\":\"" + id
                + "\",\"login\":\"fm" + id.substring(5, 13) + "\",\"avatar_url\":null},\"emails\":[]},\"bio\":null}");
        OAuthBrowser.Started started = OAuthBrowser.login("github", "/f");
        Response back = OAuthBrowser.back("/auth/github/return", started.stateCookie(), "code", code,
                "state", started.state());
        assertEquals(302, back.statusCode(), back.asString());
        GatewayClient.session(back.getCookie("community_session")).then()
                .body("externalId", org.hamcrest.Matchers.equalTo(id))
                .body("email", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void formEncodedErrorForAUsedCodeIsCodeInvalid() {
        String code = "code-" + UUID.randomUUID();
        idp.register(post(urlEqualTo("/codehub/token")).withRequestBody(
                com.github.tomakehurst.wiremock.client.WireMock.containing("code=" + code)).atPriority(1)
                .willReturn(aResponse().withHeader("Content-Type", "application/x-www-form-urlencoded")
                        .withBody("error=bad_verification_code&error_description=The+code+passed+is+incorrect")));
        OAuthBrowser.Started started = OAuthBrowser.login("github", "/");
        assertRefused(OAuthBrowser.back("/auth/github/return", started.stateCookie(), "code", code,
                "state", started.state()), 400, "code_invalid", null);
    }

    @Test
    void profileEndpointRefusingTheTokenIsTheProvidersRefusal() {
        String id = "p401-" + UUID.randomUUID();
        String code = "code-" + UUID.randomUUID();
        stubToken("/codehub/token", code, "at-" + id);
        idp.register(get(urlEqualTo("/codehub/user")).withHeader("Authorization", equalTo("Bearer at-" + id))
                .willReturn(aResponse().withStatus(401).withBody("{\"message\":\"Bad credentials for jane@x.test\"}")));
        OAuthBrowser.Started started = OAuthBrowser.login("github", "/");
        assertRefused(OAuthBrowser.back("/auth/github/return", started.stateCookie(), "code", code,
                "state", started.state()), 400, "idp_error", id);
    }

    @Test
    void errorAnswerWithAForgedStateIsAStateProblem() {
        OAuthBrowser.Started started = OAuthBrowser.login("github", "/");
        assertRefused(OAuthBrowser.back("/auth/github/return", started.stateCookie(), "error", "access_denied",
                "state", "forged"), 400, "state_invalid", null);
    }

    @Test
    void twoTabsEachFinishTheirOwnSignOn() {
        String id = "tabs-" + UUID.randomUUID();
        String firstCode = "code-1-" + UUID.randomUUID();
        String secondCode = "code-2-" + UUID.randomUUID();
        stubToken("/codehub/token", firstCode, "at-" + id);
        stubToken("/codehub/token", secondCode, "at-" + id);
        stubProfile(get(urlEqualTo("/codehub/user")), "at-" + id, nestedProfile(id));

        // tab 1 and then tab 2 start a sign-on in the same browser (tab 2 sends tab 1's cookie)
        OAuthBrowser.Started tab1 = OAuthBrowser.login("github", "/tab-one");
        Response tab2Login = io.restassured.RestAssured.given().redirects().follow(false)
                .cookie("community_sign_on", tab1.stateCookie()).queryParam("return_url", "/tab-two")
                .get("/auth/github/login");
        String browserCookie = tab2Login.getCookie("community_sign_on");
        String tab2State = OAuthBrowser.query(java.net.URI.create(tab2Login.header("Location"))).get("state");

        // tab 1's answer arrives first, with the browser's current cookie
        Response first = OAuthBrowser.back("/auth/github/return", browserCookie, "code", firstCode,
                "state", tab1.state());
        assertEquals(302, first.statusCode(), first.asString());
        assertTrue(first.header("Location").endsWith("/tab-one"));
        String left = first.getCookie("community_sign_on");
        assertTrue(left != null && !left.isEmpty(), "tab 2's sign-on is still in the cookie");

        Response second = OAuthBrowser.back("/auth/github/return", left, "code", secondCode, "state", tab2State);
        assertEquals(302, second.statusCode(), second.asString());
        assertTrue(second.header("Location").endsWith("/tab-two"));
        assertEquals("", second.getCookie("community_sign_on"), "nothing left in flight");
    }

    @Test
    void promptLoginReachesTheProvider() {
        assertEquals("login", OAuthBrowser.login("github", "/", "prompt", "login").query().get("prompt"));
        assertNull(OAuthBrowser.login("github", "/").query().get("prompt"));
    }

    @Test
    void missingStateIsRefused() {
        String code = "code-" + UUID.randomUUID();
        OAuthBrowser.Started started = OAuthBrowser.login("github", "/");
        // the answer arrives without the browser's sign-on state (another browser, or forged)
        assertRefused(OAuthBrowser.back("/auth/github/return", null, "code", code, "state", started.state()),
                400, "state_invalid", null);
        assertRefused(OAuthBrowser.back("/auth/github/return", started.stateCookie(), "code", code),
                400, "state_invalid", null);
        idp.verifyThat(0, postRequestedFor(urlEqualTo("/codehub/token")).withRequestBody(
                com.github.tomakehurst.wiremock.client.WireMock.containing(code)));
    }

    @Test
    void mismatchedStateIsRefused() {
        OAuthBrowser.Started started = OAuthBrowser.login("github", "/");
        assertRefused(OAuthBrowser.back("/auth/github/return", started.stateCookie(), "code", "c", "state", "forged"),
                400, "state_invalid", null);
    }

    @Test
    void reusedAnswerAndReusedCodeAreRefused() {
        String id = "re-" + UUID.randomUUID();
        String code = "code-" + UUID.randomUUID();
        stubToken("/codehub/token", code, "at-" + id);
        stubProfile(get(urlEqualTo("/codehub/user")), "at-" + id, nestedProfile(id));
        OAuthBrowser.Started started = OAuthBrowser.login("github", "/");
        assertEquals(302, OAuthBrowser.back("/auth/github/return", started.stateCookie(), "code", code,
                "state", started.state()).statusCode());

        // the same answer again: its sign-on state is used up
        assertRefused(OAuthBrowser.back("/auth/github/return", started.stateCookie(), "code", code,
                "state", started.state()), 400, "state_invalid", null);

        // a new sign-on carrying the old code: the provider refuses it
        idp.register(post(urlEqualTo("/codehub/token")).withRequestBody(
                com.github.tomakehurst.wiremock.client.WireMock.containing("code=" + code)).atPriority(1)
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"code already used\"}")));
        OAuthBrowser.Started again = OAuthBrowser.login("github", "/");
        assertRefused(OAuthBrowser.back("/auth/github/return", again.stateCookie(), "code", code,
                "state", again.state()), 400, "code_invalid", null);
    }

    @Test
    void deniedConsentIsExplained() {
        OAuthBrowser.Started started = OAuthBrowser.login("github", "/");
        Response response = OAuthBrowser.back("/auth/github/return", started.stateCookie(), "error", "access_denied",
                "state", started.state());
        assertRefused(response, 400, "idp_error", null);
        response.then().body(containsString("access_denied"));
    }

    @Test
    void tokenEndpointErrorsAreRefused() {
        String code = "code-" + UUID.randomUUID();
        idp.register(post(urlEqualTo("/codehub/token")).withRequestBody(
                com.github.tomakehurst.wiremock.client.WireMock.containing("code=" + code)).atPriority(1)
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"invalid_client\"}")));
        OAuthBrowser.Started started = OAuthBrowser.login("github", "/");
        assertRefused(OAuthBrowser.back("/auth/github/return", started.stateCookie(), "code", code,
                "state", started.state()), 400, "idp_error", null);

        String down = "code-" + UUID.randomUUID();
        idp.register(post(urlEqualTo("/codehub/token")).withRequestBody(
                com.github.tomakehurst.wiremock.client.WireMock.containing("code=" + down)).atPriority(1)
                .willReturn(aResponse().withStatus(503).withBody("maintenance")));
        OAuthBrowser.Started second = OAuthBrowser.login("github", "/");
        assertRefused(OAuthBrowser.back("/auth/github/return", second.stateCookie(), "code", down,
                "state", second.state()), 502, "idp_unavailable", null);
    }

    @Test
    void profileWithoutTheMappedIdIsRefused() {
        String id = "noid-" + UUID.randomUUID();
        String code = "code-" + UUID.randomUUID();
        stubToken("/codehub/token", code, "at-" + id);
        stubProfile(get(urlEqualTo("/codehub/user")), "at-" + id,
                "{\"data\":{\"account\":{\"login\":\"x" + id.substring(5, 12) + "\"}}}");
        OAuthBrowser.Started started = OAuthBrowser.login("github", "/");
        Response response = OAuthBrowser.back("/auth/github/return", started.stateCookie(), "code", code,
                "state", started.state());
        assertRefused(response, 400, "invalid_user_data", null);
        response.then().body(containsString("id"));
    }

    @Test
    void profileThatIsNotJsonIsRefused() {
        String id = "html-" + UUID.randomUUID();
        String code = "code-" + UUID.randomUUID();
        stubToken("/codehub/token", code, "at-" + id);
        stubProfile(get(urlEqualTo("/codehub/user")), "at-" + id, "<html>maintenance</html>");
        OAuthBrowser.Started started = OAuthBrowser.login("github", "/");
        assertRefused(OAuthBrowser.back("/auth/github/return", started.stateCookie(), "code", code,
                "state", started.state()), 502, "profile_invalid", null);
    }

    @Test
    void slowProfileEndpointGivesUpWithinTheTimeout() {
        String id = "slow-" + UUID.randomUUID();
        String code = "code-" + UUID.randomUUID();
        stubToken("/codehub/token", code, "at-" + id);
        idp.register(get(urlEqualTo("/codehub/user")).withHeader("Authorization", equalTo("Bearer at-" + id))
                .atPriority(1)
                .willReturn(aResponse().withFixedDelay(15_000).withBody(nestedProfile(id))));
        OAuthBrowser.Started started = OAuthBrowser.login("github", "/");
        long begin = System.nanoTime();
        Response response = OAuthBrowser.back("/auth/github/return", started.stateCookie(), "code", code,
                "state", started.state());
        long seconds = (System.nanoTime() - begin) / 1_000_000_000L;
        assertRefused(response, 502, "idp_unavailable", id);
        assertTrue(seconds < 15, "answered before the provider did (read-timeout 2S), took " + seconds + "s");
        // the gateway still serves other connectors meanwhile
        GatewayClient.check(null).then().statusCode(401);
    }

    @Test
    void providerWithOnlyTheSharedReturnUrlRegisteredSignsOnThroughIt() {
        String id = "shr-" + UUID.randomUUID();
        String code = "code-" + UUID.randomUUID();
        stubToken("github-shared", "/codehub/token", code, "at-" + id);
        stubProfile(get(urlEqualTo("/codehub/user")), "at-" + id, nestedProfile(id));

        OAuthBrowser.Started started = OAuthBrowser.login("github-shared", "/shared/oauth2");
        assertEquals("https://community.example.com/auth/oauth2/return", started.query().get("redirect_uri"));

        Response back = OAuthBrowser.back(java.net.URI.create(started.query().get("redirect_uri")).getPath(),
                started.stateCookie(), "code", code, "state", started.state());
        assertEquals(302, back.statusCode(), back.asString());
        assertTrue(back.header("Location").endsWith("/shared/oauth2"), back.header("Location"));
        GatewayClient.session(back.getCookie("community_session")).then().statusCode(200)
                .body("externalId", org.hamcrest.Matchers.equalTo(id))
                .body("connector", org.hamcrest.Matchers.equalTo("github-shared"));
        assertEquals("https://community.example.com/auth/oauth2/return",
                OAuthBrowser.form(tokenRequest("/codehub/token", code).getBodyAsString()).get("redirect_uri"));
    }

    private void assertRefused(Response response, int status, String reason, String externalId) {
        assertEquals(status, response.statusCode(), response.asString());
        assertTrue(response.asString().contains(reason), "page names " + reason + ": " + response.asString());
        assertTrue(!response.asString().contains("Exception"), "no stack trace");
        assertNull(response.getCookie("community_session"), "no session");
        if (externalId != null) {
            assertEquals(0, db.linksFor(externalId));
        }
    }

    /** The provider's code exchange: answers only with the redirect_uri registered for the connector using {@code path}. */
    private void stubToken(String path, String code, String accessToken) {
        stubToken(path.equals("/forum/token") ? "forum" : "github", path, code, accessToken);
    }

    private void stubToken(String connector, String path, String code, String accessToken) {
        idp.register(post(urlEqualTo(path)).withRequestBody(
                com.github.tomakehurst.wiremock.client.WireMock.containing("code=" + code))
                .withFormParam("redirect_uri", equalTo(TestIdp.registeredReturnUrl(connector)))
                .willReturn(aResponse().withHeader("Content-Type", "application/json")
                        .withBody("{\"access_token\":\"" + accessToken + "\",\"token_type\":\"bearer\",\"expires_in\":3600}")));
    }

    private void stubProfile(com.github.tomakehurst.wiremock.client.MappingBuilder request, String accessToken,
            String body) {
        idp.register(request.withHeader("Authorization", equalTo("Bearer " + accessToken))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(body)));
    }

    private LoggedRequest tokenRequest(String path, String code) {
        List<LoggedRequest> requests = idp.find(postRequestedFor(urlPathEqualTo(path)).withRequestBody(
                com.github.tomakehurst.wiremock.client.WireMock.containing("code=" + code)));
        assertEquals(1, requests.size(), "one code exchange");
        return requests.get(0);
    }

    private static String nestedProfile(String id) {
        return "{\"data\":{\"account\":{\"id\":\"" + id + "\",\"login\":\"octo" + id.substring(3, 11)
                + "\",\"avatar_url\":\"https://avatars.codehub.test/" + id + "\"},"
                + "\"emails\":[{\"address\":\"" + id + "@codehub.test\",\"primary\":true}]}}";
    }

}
