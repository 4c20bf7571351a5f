package org.communitysso.gateway.connector.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.Map;
import java.util.UUID;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestOidc;
import org.junit.jupiter.api.Test;

/** An IdP that is down or slow gives the member the reason page within the timeout; the rest keeps working. */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class IdpDownTest {

    @Test
    void unreachableIssuerGivesTheReasonPageAtLogin() {
        long started = System.nanoTime();
        Response login = io.restassured.RestAssured.given().redirects().follow(false)
                .queryParam("return_url", "/t").get("/auth/oidc-down/login");
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(502, login.statusCode());
        assertTrue(login.asString().contains("idp_unavailable"));
        assertTrue(!login.asString().contains("Exception"));
        assertTrue(millis < 3_000, "answered after " + millis + " ms");
        stillServesOthers();
    }

    @Test
    void slowTokenEndpointGivesTheReasonPageWithinTheReadTimeout() {
        TestOidc.Login login = TestOidc.login("oidc-slow", "/t", null);
        long started = System.nanoTime();
        Response back = TestOidc.back("/auth/oidc-slow/return", Map.of("code", "slow-" + UUID.randomUUID(),
                "state", login.state()), login.stateCookie());
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(502, back.statusCode(), back.asString());
        assertTrue(back.asString().contains("idp_unavailable"));
        // read-timeout is 1 s; the stub answers after 4 s
        assertTrue(millis < 3_000, "answered after " + millis + " ms");
        stillServesOthers();
    }

    private static void stillServesOthers() {
        String id = "up-" + UUID.randomUUID();
        Response jwt = GatewayClient.signOnAcme(Map.of("id", id, "username", "up" + id.substring(3, 12)), "/t");
        assertEquals(302, jwt.statusCode(), jwt.asString());
        Response oidc = TestOidc.signOn("oidc-a", "up-" + UUID.randomUUID(),
                Map.of("preferred_username", "upo" + id.substring(3, 12)), Map.of(), "/t");
        assertEquals(302, oidc.statusCode(), oidc.asString());
    }
}
