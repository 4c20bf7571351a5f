package org.communitysso.gateway.connector.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.communitysso.gateway.testing.Db;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestTokens;
import org.junit.jupiter.api.Test;

/**
 * {@code jwt.allow-unsolicited}: acme (default true) accepts a token without a
 * sign-on started here; acme-strict (false) only one answering its own sign-on,
 * so an attacker cannot sign a victim's browser in with the attacker's token.
 */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class UnsolicitedTokensTest {

    private static final String TARGET = "https://community.example.com/topic/1";

    @Inject
    Db db;

    @Test
    void allowedByDefault() {
        String externalId = "unsol-" + UUID.randomUUID();
        Response response = GatewayClient.returnWithToken("/auth/acme/return", token(externalId), null);
        assertEquals(302, response.statusCode(), response.asString());
        assertTrue(response.header("Location").endsWith("/"), "an unsolicited sign-on lands on the landing URL");
        assertNotNull(response.getCookie("community_session"));
        assertEquals(1, db.sessionsFor(externalId));
    }

    @Test
    void solicitedTokenIsAcceptedWhenUnsolicitedAreNot() {
        String externalId = "sol-" + UUID.randomUUID();
        String state = GatewayClient.startSignOn("acme-strict", TARGET);
        Response response = GatewayClient.returnWithToken("/auth/acme-strict/return", token(externalId), state);
        assertEquals(302, response.statusCode(), response.asString());
        assertEquals(TARGET, response.header("Location"));
        assertNotNull(response.getCookie("community_session"));
        assertEquals(1, db.sessionsFor(externalId));
    }

    @Test
    void tokenWithoutSignOnStateIsRefused() {
        String externalId = "nosol-" + UUID.randomUUID();
        assertRefused(GatewayClient.returnWithToken("/auth/acme-strict/return", token(externalId), null), externalId);
    }

    @Test
    void signOnStateOfAnotherConnectorDoesNotCount() {
        String externalId = "other-" + UUID.randomUUID();
        String stateAtAcme = GatewayClient.startSignOn("acme", TARGET);
        assertRefused(GatewayClient.returnWithToken("/auth/acme-strict/return", token(externalId), stateAtAcme),
                externalId);
    }

    private void assertRefused(Response response, String externalId) {
        assertEquals(400, response.statusCode(), response.asString());
        assertTrue(response.asString().contains("unsolicited_not_allowed"), response.asString());
        assertNull(response.getCookie("community_session"), "no session cookie");
        assertEquals(0, db.sessionsFor(externalId), "no session stored");
        assertEquals(0, db.linksFor(externalId), "no account linked");
    }

    private static String token(String externalId) {
        return TestTokens.acme(Map.of("id", externalId, "username", "u" + externalId.substring(externalId.length() - 12)));
    }
}
