package org.communitysso.gateway.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.List;
import java.util.Map;
import org.communitysso.gateway.config.GatewayConfig;
import org.communitysso.gateway.connector.jwt.JwtConnectorFactory;
import org.communitysso.gateway.testing.ConnectorConfigs;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.InMemoryReplayGuard;
import org.communitysso.gateway.testing.MovableTimeSource;
import org.communitysso.gateway.testing.TestIdp;
import org.junit.jupiter.api.Test;

/** SPEC 8 / 11: the sign-in page, default labels and icons, the favicon, error pages, gateway.ui.*, the demo on any host. */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class MemberPagesTest {

    @Test
    void signInPageShowsLabelsIconsAndDescriptions() {
        given().get("/auth/login?return_url=/x").then().statusCode(200)
                .body(containsString("<html lang=\"en\">"))
                .body(containsString("name=\"viewport\""))
                .body(containsString("rel=\"icon\""))
                // a connector's own icon, or its type's default
                .body(containsString("src=\"" + TestIdp.ACME_ICON + "\""))
                .body(containsString("<img src=\"/auth/assets/jwt.svg\" alt=\"\">"))
                // the default label for a connector without one
                .body(containsString("<span>Login with Demo Partner Account</span>"))
                .body(containsString("<span>Login with Vouched Account</span>"))
                // the description, tied to its button for screen readers
                .body(containsString("aria-describedby=\"description-demo\""))
                .body(containsString("id=\"description-demo\">The organisation&#39;s accounts (a stand-in IdP).</p>"))
                .body(not(containsString("connector-retired")));
    }

    @Test
    void pagesCarryTheCommunitysNameLogoColourAndSupportLink() {
        for (String page : List.of("/auth/login", "/auth/nope/login")) {
            given().get(page).then()
                    .body(containsString("<title>"))
                    .body(containsString(" · Test Community</title>"))
                    .body(containsString("<span class=\"name\">Test Community</span>"))
                    .body(containsString("<img src=\"/auth/assets/favicon.svg\" alt=\"\">"))
                    .body(containsString("--accent: #0b6e4f; --on-accent: #ffffff;"))
                    .body(containsString("<a id=\"support\" href=\"https://help.community.example.com/\">"));
        }
        given().get("/auth/login").then().body(containsString("<h1>Sign in to Test Community</h1>"));
        GatewayClient.returnWithToken("/auth/acme/return", "not-a-token", GatewayClient.startSignOn("acme", "/"))
                .then().body(containsString("contact support (link below)"));
    }

    @Test
    void oneSignInMethodGoesStraightToItsIdpUnlessAskedToChoose() {
        assertTrue(SignOnResource.goStraightToIdp(1, true, null));
        assertFalse(SignOnResource.goStraightToIdp(1, true, "1"), "?choose=1 shows the page");
        assertFalse(SignOnResource.goStraightToIdp(1, false, null), "skip-single-connector=false");
        assertFalse(SignOnResource.goStraightToIdp(2, true, null));
        assertFalse(SignOnResource.goStraightToIdp(0, true, null));
        // this suite has many methods: the page, whatever choose says
        given().redirects().follow(false).get("/auth/login").then().statusCode(200);
    }

    @Test
    void faviconAndIconsAreServed() {
        Response favicon = given().get("/favicon.ico");
        assertEquals(200, favicon.statusCode());
        assertEquals("image/x-icon", favicon.contentType());
        byte[] ico = favicon.asByteArray();
        assertEquals(0, ico[0]);
        assertEquals(1, ico[2], "an ICO file");
        given().get("/auth/assets/favicon.ico").then().statusCode(200).header("Cache-Control", startsWith("public"));
        for (String type : List.of("jwt", "oidc", "oauth2", "saml2", "facebook")) {
            given().get("/auth/assets/" + type + ".svg").then().statusCode(200)
                    .contentType(startsWith("image/svg+xml")).body(containsString("<svg"));
        }
        given().get("/auth/assets/..%2Fapplication.properties").then().statusCode(404);
        given().get("/auth/assets/secret.txt").then().statusCode(404);
    }

    @Test
    void errorPageKeepsTheReasonSaysWhatToDoAndTriesAgainWithTheTarget() {
        String state = GatewayClient.startSignOn("acme", "/forum/t/7");
        Response refused = GatewayClient.returnWithToken("/auth/acme/return", "not-a-token", state);
        refused.then().statusCode(400)
                .body(containsString("<span id=\"reason\">token_malformed</span>"))
                .body(containsString("id=\"next-step\""))
                .body(containsString("role=\"alert\""))
                .body(containsString("id=\"try-again\" href=\"/auth/login?return_url=%2Fforum%2Ft%2F7\""));
        // without a known target, "Try again" starts from the landing page
        given().get("/auth/nope/login").then().statusCode(404)
                .body(containsString("unknown_connector"))
                .body(containsString("href=\"/auth/login?return_url=%2F\""));
    }

    @Test
    void demoIdpFollowsTheHostTheBrowserUsed() {
        Response login = given().redirects().follow(false).header("Host", "gateway.example.test:8090")
                .get("/auth/demo/login?return_url=/");
        assertEquals(302, login.statusCode());
        String location = login.header("Location");
        assertTrue(location.startsWith("http://gateway.example.test:8090/dev/demo-idp/demo/sign-on?return_url="),
                location);
        assertTrue(location.contains("return_url=http%3A%2F%2Fgateway.example.test%3A8090%2Fauth%2Fdemo%2Freturn"),
                location);
        given().header("Host", "gateway.example.test:8090")
                .get("/dev/demo-idp/demo/sign-on?return_url=http://evil.test/auth/demo/return").then().statusCode(200)
                .body(containsString("value=\"http://gateway.example.test:8090/auth/demo/return\""))
                .body(not(containsString("evil.test")));
    }

    @Test
    void connectorIdsCannotTakeTheGatewaysOwnPages() {
        for (String reserved : List.of("account", "link", "assets", "profile")) {
            ConfigurationException e = assertThrows(ConfigurationException.class, () -> ConnectorConfigs.build(Map.of(
                    "gateway.connectors." + reserved + ".type", "jwt",
                    "gateway.connectors." + reserved + ".sign-on-url", "https://idp.test/sso",
                    "gateway.connectors." + reserved + ".jwt.shared-secret", TestIdp.SHARED_SECRET,
                    "gateway.connectors." + reserved + ".jwt.algorithms", "HS256"),
                    List.of(new JwtConnectorFactory(new InMemoryReplayGuard(), new MovableTimeSource()))));
            assertTrue(e.getMessage().contains("gateway.connectors." + reserved + ".type"), e.getMessage());
        }
    }

    @Test
    void signOnUrlMayBeAPathOnTheGatewaysHostButNotAnotherHost() {
        Map<String, String> config = new java.util.HashMap<>(Map.of(
                "gateway.connectors.local.type", "jwt",
                "gateway.connectors.local.sign-on-url", "/idp/sign-on",
                "gateway.connectors.local.sign-off-url", "/idp/sign-off",
                "gateway.connectors.local.jwt.shared-secret", TestIdp.SHARED_SECRET,
                "gateway.connectors.local.jwt.algorithms", "HS256"));
        var factories = List.<org.communitysso.gateway.connector.ConnectorFactory>of(
                new JwtConnectorFactory(new InMemoryReplayGuard(), new MovableTimeSource()));
        assertEquals("/idp/sign-off", ConnectorConfigs.build(config, factories).get("local").settings().signOffUrl()
                .orElseThrow().toString());
        for (String bad : List.of("//evil.example/sso", "/\\evil.example", "javascript:alert(1)", "idp/sign-on")) {
            config.put("gateway.connectors.local.sign-on-url", bad);
            ConfigurationException e = assertThrows(ConfigurationException.class,
                    () -> ConnectorConfigs.build(config, factories), bad);
            assertTrue(e.getMessage().contains("gateway.connectors.local.sign-on-url"), e.getMessage());
        }
    }

    @Test
    void uiSettingsRefuseWhatCouldInjectIntoThePage() {
        UiSettings fine = ui(Map.of("gateway.ui.community-name", "Example Forum", "gateway.ui.accent-color", "#FFD700",
                "gateway.ui.logo-url", "/static/logo.png", "gateway.ui.support-url", "https://help.example.com"));
        assertEquals("Example Forum", fine.view().communityName());
        assertEquals("#111111", fine.view().onAccent(), "dark text on a light accent");
        assertEquals("#ffffff", ui(Map.of("gateway.ui.accent-color", "#1a3d8f")).view().onAccent());
        assertTrue(fine.skipSingleConnector());

        for (Map.Entry<String, String> bad : Map.of(
                "gateway.ui.accent-color", "red;}body{display:none",
                "gateway.ui.logo-url", "javascript:alert(1)",
                "gateway.ui.support-url", "//evil.example").entrySet()) {
            ConfigurationException e = assertThrows(ConfigurationException.class, () -> ui(Map.of(bad.getKey(),
                    bad.getValue())));
            assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
        }
    }

    @Test
    void contrastOfTheDefaultAccentPassesAa() {
        double accent = UiSettings.luminance("#2458d6");
        assertTrue((1.05) / (accent + 0.05) >= 4.5, "white on the default accent");
    }

    private static UiSettings ui(Map<String, String> properties) {
        GatewayConfig config = new SmallRyeConfigBuilder().withMapping(GatewayConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build()
                .getConfigMapping(GatewayConfig.class);
        return new UiSettings(config);
    }
}
