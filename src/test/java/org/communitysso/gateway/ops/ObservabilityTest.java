package org.communitysso.gateway.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestTokens;
import org.junit.jupiter.api.Test;

/** Metrics after sign-ons of each outcome, readiness with a failing IdP, the OpenAPI document. */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class ObservabilityTest {

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @TestHTTPResource(value = "/health/live", management = true)
    URL live;

    @TestHTTPResource(value = "/openapi", management = true)
    URL openapi;

    @Inject
    IdpReachability reachability;

    @Test
    void signOnsOfEachOutcomeAppearWithTheirLabels() {
        double successes = value("gateway_sign_on_total", "connector=\"acme\",outcome=\"success\",reason=\"none\"");
        String externalId = "obs-" + UUID.randomUUID();
        Response ok = GatewayClient.signOnAcme(Map.of("id", externalId, "username", "ob" + externalId.substring(4, 12)),
                "/");
        assertEquals(302, ok.statusCode());
        GatewayClient.returnWithToken("/auth/acme/return", "not.a.token", GatewayClient.startSignOn("acme", "/"));
        GatewayClient.returnWithToken("/auth/acme/return", TestTokens.signRs256(TestTokens.acmeClaims(
                Map.of("id", "obs-x")), TestTokens.key("rogue"), null), GatewayClient.startSignOn("acme", "/"));
        GatewayClient.signOnAcme(Map.of("id", "obs-" + UUID.randomUUID()), "/"); // no username: sign-up form
        GatewayClient.check(ok.getCookie("community_session")).then().statusCode(202);
        given().redirects().follow(false).cookie("community_session", ok.getCookie("community_session"))
                .post("/auth/logout");
        // partner's keys come from its JWKS URL; vouched links to the account by the verified email
        String partnerId = "obs-p-" + UUID.randomUUID();
        String email = partnerId + "@partner.test";
        GatewayClient.returnWithToken("/auth/partner/return", TestTokens.signRs256(TestTokens.claims(
                TestIdp.PARTNER_ISSUER, Map.of("id", partnerId, "username", "op" + partnerId.substring(6, 14),
                        "email", email)), TestTokens.key("partner"), "partner-key-1"),
                GatewayClient.startSignOn("partner", "/")).then().statusCode(302);
        GatewayClient.returnWithToken("/auth/vouched/return", TestTokens.signRs256(TestTokens.claims(
                TestIdp.VOUCHED_ISSUER, Map.of("id", "v-" + partnerId, "email", email)), TestTokens.key("partner"), null),
                GatewayClient.startSignOn("vouched", "/")).then().statusCode(302);

        String text = given().get(metrics).then().statusCode(200).extract().asString();
        assertEquals(successes + 1,
                value("gateway_sign_on_total", "connector=\"acme\",outcome=\"success\",reason=\"none\""));
        assertTrue(value(text, "gateway_sign_on_total", "connector=\"acme\",outcome=\"failure\",reason=\"token_malformed\"")
                >= 1, text);
        assertTrue(value(text, "gateway_sign_on_total",
                "connector=\"acme\",outcome=\"failure\",reason=\"signature_invalid\"") >= 1);
        assertTrue(value(text, "gateway_sign_on_total",
                "connector=\"acme\",outcome=\"profile_required\",reason=\"username_missing\"") >= 1);
        assertTrue(value(text, "gateway_accounts_provisioned_total", "connector=\"acme\"") >= 1);
        assertTrue(value(text, "gateway_accounts_linked_total", "by=\"verified_email\",connector=\"vouched\"") >= 1,
                grep(text, "linked"));
        assertTrue(value(text, "gateway_check_seconds_count", null) >= 1);
        assertTrue(text.contains("gateway_sessions_live "), "the gauge is there");
        assertTrue(value(text, "gateway_sessions_revoked_total", "cause=\"sign_off\"") >= 1
                || value(text, "gateway_sessions_revoked_total", "cause=\"logout\"") >= 1, grep(text, "revoked"));
        assertTrue(value(text, "gateway_idp_request_seconds_count", "call=\"jwks\",connector=\"partner\"") >= 1,
                grep(text, "gateway_idp_request"));
        assertTrue(!text.contains(externalId), "no member ids in metrics");
    }

    @Test
    void readinessReportsAFailingIdpWithoutGoingDown() {
        reachability.forget();
        JsonPath health = given().get(ready).then().statusCode(200).body("status", equalTo("UP")).extract().jsonPath();
        Map<String, Object> data = health.getMap("checks.find { it.name == 'gateway' }.data");
        assertEquals("ok", data.get("database"));
        assertTrue(String.valueOf(data.get("connector.oidc-down")).startsWith("failing"), data.toString());
        assertEquals("ok", data.get("connector.oidc-a"), data.toString());
        assertEquals("ok", data.get("connector.partner"), data.toString());
        assertEquals("n/a", data.get("connector.acme"), "inline keys need nothing from the IdP");
        assertTrue(!data.containsKey("connector.retired"), "a disabled connector is not probed");
        given().get(live).then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void theOpenApiDocumentDescribesTheAdminApiWithTheBearerScheme() {
        given().get(openapi + "?format=json").then().statusCode(200)
                .body(containsString("/admin/api/members/{userId}/deactivate"))
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"))
                .body("components.securitySchemes.apiKey.in", equalTo("header"));
        given().redirects().follow(false).get("/q/openapi").then().statusCode(404);
    }

    /** deploy/grafana's dashboard and alert rules ask only for series the gateway exports. */
    @Test
    void theDashboardAndAlertsUseTheExportedNames() throws Exception {
        signOnsOfEachOutcomeAppearWithTheirLabels(); // every gateway series has a sample
        String exported = given().get(metrics).asString();
        for (String file : java.util.List.of("deploy/grafana/community-sso-gateway.json", "deploy/grafana/alerts.yml")) {
            String text = java.nio.file.Files.readString(java.nio.file.Path.of(file));
            Matcher names = Pattern.compile("gateway_[a-z_]+").matcher(text);
            int found = 0;
            while (names.find()) {
                found++;
                String name = names.group();
                assertTrue(Pattern.compile("^" + Pattern.quote(name) + "[{ ]", Pattern.MULTILINE).matcher(exported)
                        .find(), file + " uses " + name + ", which the gateway does not export");
            }
            assertTrue(found >= 5, file);
        }
    }

    private double value(String name, String labels) {
        return value(given().get(metrics).asString(), name, labels);
    }

    /** The sample's value, 0 when absent; labels exactly as Prometheus prints them (sorted by name). */
    private static double value(String text, String name, String labels) {
        Pattern sample = Pattern.compile("^" + Pattern.quote(name) + (labels == null ? "(?:\\{[^}]*\\})?"
                : Pattern.quote("{" + labels) + "(?:,[^}]*)?\\}") + " ([0-9.eE+-]+)$", Pattern.MULTILINE);
        Matcher matcher = sample.matcher(text);
        double total = 0;
        while (matcher.find()) {
            total += Double.parseDouble(matcher.group(1));
        }
        return total;
    }

    private static String grep(String text, String word) {
        return String.join("\n", text.lines().filter(l -> l.contains(word)).toList());
    }
}
