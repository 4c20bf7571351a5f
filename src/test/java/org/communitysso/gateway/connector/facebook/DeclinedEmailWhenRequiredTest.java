package org.communitysso.gateway.connector.facebook;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.Map;
import java.util.UUID;
import com.github.tomakehurst.wiremock.client.WireMock;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.TestIdp;
import org.junit.jupiter.api.Test;

/** A community that requires an email asks the Facebook member who declined to share it. */
@QuarkusTest
@TestProfile(DeclinedEmailWhenRequiredTest.RequireEmail.class)
@QuarkusTestResource(TestIdp.class)
class DeclinedEmailWhenRequiredTest {

    @ConfigProperty(name = "test.wiremock.port")
    int port;

    public static class RequireEmail implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.accounts.require-email", "true");
        }
    }

    @Test
    void memberWhoDeclinedTheEmailIsAskedForOne() {
        String fbId = String.valueOf(Math.abs(UUID.randomUUID().getMostSignificantBits()));
        Response back = new GraphApiStandIn(new WireMock("localhost", port)).signOn(fbId, "{\"id\":\"" + fbId + "\",\"name\":\"Kim " + fbId.substring(0, 8) + "\"}");
        assertEquals(303, back.statusCode(), back.asString());
        assertNull(back.getCookie("community_session"));
        String pending = back.getCookie("community_pending");
        given().cookie("community_pending", pending).get("/auth/profile").then().statusCode(200)
                .body(containsString("Please give the email address"))
                .body(containsString("name=\"email\""));

        // the form insists on the email
        GatewayClient.submitProfile(pending, "Kim " + fbId.substring(0, 8), null).then().statusCode(400);
        Response done = GatewayClient.submitProfile(pending, "Kim " + fbId.substring(0, 8), "kim" + fbId + "@mail.test");
        assertEquals(302, done.statusCode(), done.asString());
        GatewayClient.session(done.getCookie("community_session")).then()
                .body("email", equalTo("kim" + fbId + "@mail.test"))
                .body("externalId", equalTo(fbId));
    }
}
