package org.communitysso.gateway.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

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

/** A sign-on's account and session work is one transaction: a failure leaves everything as it was. */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class SignOnIsOneUnitOfWorkTest {

    @Inject
    Db db;

    @Test
    void aFailureWhileOpeningTheNewSessionLeavesTheOldOneAndTheAccountAsTheyWere() {
        String id = "unit-" + UUID.randomUUID().toString().substring(0, 8);
        String before = "ub" + id.substring(5);
        Response first = GatewayClient.signOnAcme(Map.of("id", id, "username", before), "/");
        String oldSession = first.getCookie("community_session");
        assertNotNull(oldSession);

        // the database refuses the new session row (a fault the gateway cannot foresee)
        String trigger = "refuse_session_" + id.substring(5);
        db.execute("CREATE TRIGGER " + trigger + " BEFORE INSERT ON sessions FOR EACH ROW BEGIN "
                + "IF NEW.external_id = '" + id + "' THEN SIGNAL SQLSTATE '45000' "
                + "SET MESSAGE_TEXT = 'test: session row refused'; END IF; END");
        try {
            Response failed = signOnReplacing(oldSession, Map.of("id", id, "username", "ua" + id.substring(5)));
            assertEquals(500, failed.statusCode(), failed.asString());
            assertNull(failed.getCookie("community_session"));
        } finally {
            db.execute("DROP TRIGGER " + trigger);
        }

        // the old session is alive and the profile sync was rolled back with the session
        GatewayClient.session(oldSession).then().statusCode(200).body("username", equalTo(before));
        assertEquals(1, db.sessionsFor(id));

        // once the fault is gone, the same sign-on replaces the old session
        Response again = signOnReplacing(oldSession, Map.of("id", id, "username", "ua" + id.substring(5)));
        assertEquals(302, again.statusCode(), again.asString());
        GatewayClient.session(oldSession).then().statusCode(401);
        GatewayClient.session(again.getCookie("community_session")).then().statusCode(200)
                .body("username", equalTo("ua" + id.substring(5)));
        assertEquals(1, db.sessionsFor(id));
    }

    private static Response signOnReplacing(String oldSession, Map<String, Object> data) {
        String state = GatewayClient.startSignOn("acme", "/");
        return given().redirects().follow(false).queryParam("token", TestTokens.acme(data))
                .cookie("community_sign_on", state).cookie("community_session", oldSession)
                .get("/auth/acme/return");
    }
}
