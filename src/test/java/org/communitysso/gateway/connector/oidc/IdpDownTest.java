package org.communitysso.gateway.connector.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestOidc;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * An IdP that is down or slow gives the member the idp_unavailable page and no
 * session; the rest keeps working. Timing is not measured against a tight
 * limit (the machine is shared): only that the gateway gave up long before the
 * slow IdP answered.
 */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class IdpDownTest {

    @ConfigProperty(name = "gateway.connectors.oidc-slow.read-timeout")
    Duration slowReadTimeout;

    @Test
    void unreachableIssuerGivesTheReasonPageAtLogin() {
        Response login = io.restassured.RestAssured.given().redirects().follow(false)
                .queryParam("return_url", "/t").get("/auth/oidc-down/login");
        refusedAsUnavailable(login);
        assertNull(login.getCookie("community_sign_on"), "no sign-on state is started");
        stillServesOthers();
    }

    @Test
    void slowTokenEndpointGivesTheReasonPageWithoutWaitingForTheIdp() {
        TestOidc.Login login = TestOidc.login("oidc-slow", "/t", null);
        long started = System.nanoTime();
        Response back = TestOidc.back("/auth/oidc-slow/return", Map.of("code", "slow-" + UUID.randomUUID(),
                "state", login.state()), login.stateCookie());
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        refusedAsUnavailable(back);
        // the stub answers after TestIdp.SLOW_TOKEN_DELAY; read-timeout is far below it
        assertTrue(slowReadTimeout.multipliedBy(3).compareTo(TestIdp.SLOW_TOKEN_DELAY) <= 0, "fixture: timeout "
                + slowReadTimeout + " is far below the IdP's delay " + TestIdp.SLOW_TOKEN_DELAY);
        assertTrue(took.compareTo(TestIdp.SLOW_TOKEN_DELAY) < 0, "gave up before the IdP answered; took " + took);
        stillServesOthers();
    }

    private static void refusedAsUnavailable(Response response) {
        assertEquals(502, response.statusCode(), response.asString());
        assertTrue(response.asString().contains("idp_unavailable"), "the page names the reason");
        assertFalse(response.asString().contains("Exception"), "no stack trace");
        assertNull(response.getCookie("community_session"), "no session");
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
