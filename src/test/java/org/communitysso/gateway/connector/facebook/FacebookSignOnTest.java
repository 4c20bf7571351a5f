package org.communitysso.gateway.connector.facebook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.communitysso.gateway.account.AccountPolicy;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.OAuthBrowser;
import org.communitysso.gateway.testing.TestIdp;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SPEC 2.5: Facebook Login through pac4j, against a stand-in Graph API. */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class FacebookSignOnTest {

    @ConfigProperty(name = "test.wiremock.port")
    int port;

    WireMock graph;

    @BeforeEach
    void connect() {
        graph = new WireMock("localhost", port);
    }

    @Test
    void roundTripTakesTheAvatarFromThePictureAndSendsAppsecretProof() throws Exception {
        String fbId = String.valueOf(Math.abs(UUID.randomUUID().getMostSignificantBits()));
        String accessToken = "fb-at-" + fbId;
        String code = "fb-code-" + fbId;
        stubToken(code, accessToken);
        stubProfile(accessToken, "{\"id\":\"" + fbId + "\",\"name\":\"Jane " + fbId.substring(0, 6) + "\","
                + "\"email\":\"jane" + fbId + "@fb.test\","
                + "\"picture\":{\"data\":{\"url\":\"https://fbcdn.test/" + fbId + ".jpg\",\"is_silhouette\":false}}}");

        OAuthBrowser.Started started = OAuthBrowser.login("fb", "/welcome-back");
        assertEquals("/dialog/v23.0/dialog/oauth", started.authorizeUrl().getPath());
        assertEquals(TestIdp.FACEBOOK_APP_ID, started.query().get("client_id"));
        assertEquals("public_profile,email", started.query().get("scope"));

        Response back = OAuthBrowser.back("/auth/facebook/return", started.stateCookie(), "code", code,
                "state", started.state());
        assertEquals(302, back.statusCode(), back.asString());
        assertTrue(back.header("Location").endsWith("/welcome-back"));
        GatewayClient.session(back.getCookie("community_session")).then().statusCode(200)
                .body("externalId", org.hamcrest.Matchers.equalTo(fbId))
                .body("username", org.hamcrest.Matchers.equalTo("Jane " + fbId.substring(0, 6)))
                .body("email", org.hamcrest.Matchers.equalTo("jane" + fbId + "@fb.test"))
                .body("avatar", org.hamcrest.Matchers.equalTo("https://fbcdn.test/" + fbId + ".jpg"))
                .body("connector", org.hamcrest.Matchers.equalTo("fb"));

        String expectedProof = hmacSha256Hex(TestIdp.FACEBOOK_APP_SECRET, accessToken);
        List<LoggedRequest> profileCalls = graph.find(getRequestedFor(urlPathEqualTo("/graph/v23.0/me"))
                .withQueryParam("appsecret_proof", equalTo(expectedProof)));
        assertEquals(1, profileCalls.size(), "one profile call with appsecret_proof = HMAC-SHA256(app secret, token)");
        LoggedRequest profile = profileCalls.get(0);
        assertTrue(profile.queryParameter("fields").values().get(0).contains("picture.type(large)"));
        assertTrue(profile.queryParameter("fields").values().get(0).contains("email"));
        profile.queryParameter("appsecret_proof").values()
                .forEach(value -> assertEquals(expectedProof, value, "every appsecret_proof sent is right"));
        assertTrue(profile.getHeader("Authorization") != null || profile.queryParameter("access_token").isPresent(),
                "the access token is sent");
        assertEquals(1, graph.find(anyRequestedFor(urlPathEqualTo("/graph/v23.0/oauth/access_token"))).stream()
                .filter(r -> r.getUrl().contains(code) || r.getBodyAsString().contains(code)).count(),
                "one code exchange at the configured Graph API version");
    }

    @Test
    void memberWhoDeclinedTheEmailStillSignsOnAndIsAskedForAUsernameWhenTheirsIsTaken() {
        // an account already has the name Facebook will send
        String first = String.valueOf(Math.abs(UUID.randomUUID().getMostSignificantBits()));
        String name = "Sam " + first.substring(0, 8);
        signOn(first, "{\"id\":\"" + first + "\",\"name\":\"" + name + "\",\"email\":\"sam" + first + "@fb.test\"}");

        String second = String.valueOf(Math.abs(UUID.randomUUID().getMostSignificantBits()));
        Response back = signOnResponse(second, "{\"id\":\"" + second + "\",\"name\":\"" + name + "\"}");
        assertEquals(303, back.statusCode(), back.asString());
        String pending = back.getCookie("community_pending");
        io.restassured.RestAssured.given().cookie("community_pending", pending).get("/auth/profile").then()
                .statusCode(200).body(containsString("already taken")).body(containsString("name=\"email\""));
        Response done = GatewayClient.submitProfile(pending, "sam" + second.substring(0, 8), null);
        assertEquals(302, done.statusCode(), done.asString());
        GatewayClient.session(done.getCookie("community_session")).then()
                .body("externalId", org.hamcrest.Matchers.equalTo(second))
                .body("email", org.hamcrest.Matchers.nullValue());
    }

    /**
     * A community that requires an email asks the Facebook member who declined to share it. The requirement is
     * swapped in for this test only, inside the shared boot ({@link AccountPolicy} is read per sign-on).
     */
    @Test
    void memberWhoDeclinedTheEmailIsAskedForOneWhenTheCommunityRequiresIt() {
        QuarkusMock.installMockForType(new AccountPolicy() {
            @Override
            public boolean requireEmail() {
                return true;
            }
        }, AccountPolicy.class);
        String fbId = String.valueOf(Math.abs(UUID.randomUUID().getMostSignificantBits()));
        Response back = signOnResponse(fbId, "{\"id\":\"" + fbId + "\",\"name\":\"Kim " + fbId.substring(0, 8) + "\"}");
        assertEquals(303, back.statusCode(), back.asString());
        assertNull(back.getCookie("community_session"));
        String pending = back.getCookie("community_pending");
        io.restassured.RestAssured.given().cookie("community_pending", pending).get("/auth/profile").then()
                .statusCode(200)
                .body(containsString("Please give the email address"))
                .body(containsString("name=\"email\""));

        // the form insists on the email
        GatewayClient.submitProfileRefused(pending, "Kim " + fbId.substring(0, 8), null).then().statusCode(200)
                .body(containsString("Please give an email address"))
                .body(containsString("value=\"Kim " + fbId.substring(0, 8) + "\""));
        Response done = GatewayClient.submitProfile(pending, "Kim " + fbId.substring(0, 8), "kim" + fbId + "@mail.test");
        assertEquals(302, done.statusCode(), done.asString());
        GatewayClient.session(done.getCookie("community_session")).then()
                .body("email", org.hamcrest.Matchers.equalTo("kim" + fbId + "@mail.test"))
                .body("externalId", org.hamcrest.Matchers.equalTo(fbId));
    }

    @Test
    void promptLoginAsksFacebookToReauthenticate() {
        assertEquals("reauthenticate", OAuthBrowser.login("fb", "/", "prompt", "login").query().get("auth_type"));
    }

    @Test
    void graphErrorOnTheCodeIsRefused() {
        String code = "fb-bad-" + UUID.randomUUID();
        graph.register(any(urlPathEqualTo("/graph/v23.0/oauth/access_token")).withQueryParam("code", equalTo(code))
                .atPriority(1)
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json").withBody(
                        "{\"error\":{\"message\":\"This authorization code has been used.\",\"type\":\"OAuthException\","
                                + "\"code\":100,\"fbtrace_id\":\"AbC\"}}")));
        OAuthBrowser.Started started = OAuthBrowser.login("fb", "/");
        Response response = OAuthBrowser.back("/auth/fb/return", started.stateCookie(), "code", code,
                "state", started.state());
        assertEquals(400, response.statusCode(), response.asString());
        assertTrue(response.asString().contains("idp_error"), response.asString());
        assertNull(response.getCookie("community_session"));
    }

    @Test
    void deniedPermissionIsExplained() {
        OAuthBrowser.Started started = OAuthBrowser.login("fb", "/");
        Response response = OAuthBrowser.back("/auth/fb/return", started.stateCookie(), "error", "access_denied",
                "error_reason", "user_denied", "state", started.state());
        assertEquals(400, response.statusCode());
        response.then().body(containsString("idp_error")).body(containsString("access_denied"));
        assertNull(response.getCookie("community_session"));
    }

    private void signOn(String fbId, String profileJson) {
        Response back = graphApi().signOn(fbId, profileJson);
        assertEquals(302, back.statusCode(), back.asString());
    }

    private Response signOnResponse(String fbId, String profileJson) {
        return graphApi().signOn(fbId, profileJson);
    }

    @Test
    void appWithOnlyTheSharedReturnUrlRegisteredSignsOnThroughIt() {
        String fbId = String.valueOf(Math.abs(UUID.randomUUID().getMostSignificantBits()));
        String accessToken = "fb-at-" + fbId;
        String code = "fb-code-" + fbId;
        graphApi().stubToken("fb-shared", code, accessToken);
        stubProfile(accessToken, "{\"id\":\"" + fbId + "\",\"name\":\"Shared " + fbId.substring(0, 6) + "\"}");

        // the login dialog is asked to send the member to the URL the app's administrator registered
        OAuthBrowser.Started started = OAuthBrowser.login("fb-shared", "/shared/fb");
        assertEquals("https://community.example.com/auth/facebook/return", started.query().get("redirect_uri"));

        Response back = OAuthBrowser.back(java.net.URI.create(started.query().get("redirect_uri")).getPath(),
                started.stateCookie(), "code", code, "state", started.state());
        assertEquals(302, back.statusCode(), back.asString());
        assertTrue(back.header("Location").endsWith("/shared/fb"), back.header("Location"));
        GatewayClient.session(back.getCookie("community_session")).then().statusCode(200)
                .body("externalId", org.hamcrest.Matchers.equalTo(fbId))
                .body("connector", org.hamcrest.Matchers.equalTo("fb-shared"));
    }

    private void stubToken(String code, String accessToken) {
        graphApi().stubToken(code, accessToken);
    }

    private void stubProfile(String accessToken, String body) {
        graphApi().stubProfile(accessToken, body);
    }

    private GraphApiStandIn graphApi() {
        return new GraphApiStandIn(graph);
    }

    private static String hmacSha256Hex(String key, String data) {
        return GraphApiStandIn.hmacSha256Hex(key, data);
    }
}
