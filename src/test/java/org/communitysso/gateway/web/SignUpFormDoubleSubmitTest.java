package org.communitysso.gateway.web;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.communitysso.gateway.testing.Db;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestTokens;
import org.junit.jupiter.api.Test;

/** A double-click on the sign-up form: one account, one session, and no error page for the second click. */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class SignUpFormDoubleSubmitTest {

    @Inject
    Db db;

    @Test
    void twoSubmitsAtOnceMakeOneAccountAndNeitherShowsAnError() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 12);
        Response back = GatewayClient.returnWithToken("/auth/acme/return", TestTokens.acme(Map.of("id", id)),
                GatewayClient.startSignOn("acme", "/after-double"));
        String pending = back.getCookie("community_pending");
        String page = given().cookie("community_pending", pending).get("/auth/profile").asString();
        String csrf = page.replaceAll("(?s).*name=\"csrf\" value=\"([^\"]+)\".*", "$1");

        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Response>> clicks = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            clicks.add(pool.submit(() -> {
                start.await();
                return given().redirects().follow(false).cookie("community_pending", pending)
                        .formParam("csrf", csrf).formParam("username", "dbl" + id).post("/auth/profile");
            }));
        }
        start.countDown();
        String session = null;
        for (Future<Response> click : clicks) {
            Response answer = click.get();
            String location = answer.header("Location");
            assertTrue(answer.statusCode() == 302 && location.endsWith("/after-double")
                    || answer.statusCode() == 303 && location.endsWith("/auth/profile"),
                    answer.statusCode() + " " + location + " " + answer.asString());
            if (answer.getCookie("community_session") != null) {
                session = answer.getCookie("community_session");
            }
        }
        pool.shutdown();
        assertEquals(1, db.linksFor(id));
        assertEquals(1, db.accountsWithUsername("dbl" + id));
        // the browser, now holding the winner's session, follows the other answer: on to the target
        Response followed = given().redirects().follow(false).cookie("community_pending", pending)
                .cookie("community_session", session).get("/auth/profile");
        assertEquals(303, followed.statusCode());
        assertTrue(followed.header("Location").endsWith("/after-double"));
    }
}
