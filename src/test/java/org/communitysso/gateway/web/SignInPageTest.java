package org.communitysso.gateway.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.Map;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestTokens;
import org.junit.jupiter.api.Test;

/** The sign-in page: icons, switched-off connectors, and {@code prompt=login} carried to the IdP. */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class SignInPageTest {

    @Test
    void connectorIconIsShownNextToItsLabel() {
        given().get("/auth/login").then().statusCode(200)
                .body(containsString("<img src=\"" + TestIdp.ACME_ICON + "\""))
                .body(containsString("Sign in with Acme"));
    }

    @Test
    void aDisabledConnectorIsNotListedAndItsUrlsAnswerConnectorDisabled() {
        given().get("/auth/login").then().statusCode(200)
                .body(not(containsString("Sign in with Retired")))
                .body(not(containsString("/auth/retired/")));

        given().redirects().follow(false).accept("application/json").get("/auth/retired/login?return_url=/t")
                .then().statusCode(404).body("error", equalTo("connector_disabled"));
        given().redirects().follow(false).get("/auth/retired/login").then().statusCode(404)
                .body(containsString("connector_disabled"));
        String token = TestTokens.sharedSecretToken(Map.of("id", "retired-1", "username", "retired1"));
        Response back = given().redirects().follow(false).accept("application/json").queryParam("token", token)
                .get("/auth/retired/return");
        assertEquals(404, back.statusCode(), back.asString());
        assertEquals("connector_disabled", back.jsonPath().getString("error"));
        assertEquals(null, back.getCookie("community_session"));
    }

    @Test
    void promptLoginOnTheSignInPageIsCarriedToEachConnectorsLogin() {
        String page = given().queryParam("prompt", "login").queryParam("return_url", "/t/42").get("/auth/login")
                .then().statusCode(200).extract().asString();
        assertTrue(page.contains("/auth/acme/login?return_url=%2Ft%2F42&amp;prompt=login"), page);

        // and that link asks the IdP for a fresh sign-in (jwt: prompt=login on the sign-on URL)
        Response login = given().redirects().follow(false).get("/auth/acme/login?return_url=%2Ft%2F42&prompt=login");
        assertEquals(302, login.statusCode());
        assertTrue(login.header("Location").contains("prompt=login"), login.header("Location"));

        String plain = given().queryParam("return_url", "/t/42").get("/auth/login").then().statusCode(200)
                .extract().asString();
        assertTrue(plain.contains("/auth/acme/login?return_url=%2Ft%2F42\""), plain);
        assertTrue(!plain.contains("prompt=login"), plain);
    }
}
