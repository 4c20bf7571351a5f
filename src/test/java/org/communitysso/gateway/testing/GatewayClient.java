package org.communitysso.gateway.testing;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import java.util.Map;

/** The browser's side of a sign-on, against the running gateway. */
public final class GatewayClient {

    private GatewayClient() {
    }

    /** Starts a sign-on; returns the sign-on state cookie the gateway set. */
    public static String startSignOn(String connector, String returnUrl) {
        Response response = given().redirects().follow(false)
                .queryParam("return_url", returnUrl)
                .get("/auth/" + connector + "/login");
        if (response.statusCode() != 302) {
            throw new AssertionError("login answered " + response.statusCode());
        }
        return response.getCookie("community_sign_on");
    }

    /** The IdP's redirect back with {@code ?token=}; {@code stateCookie} may be null (unsolicited). */
    public static Response returnWithToken(String path, String token, String stateCookie) {
        var request = given().redirects().follow(false).queryParam("token", token);
        if (stateCookie != null) {
            request.cookie("community_sign_on", stateCookie);
        }
        return request.get(path);
    }

    /** A full sign-on through acme; returns the response to the token return. */
    public static Response signOnAcme(Map<String, Object> userData, String returnUrl) {
        String state = startSignOn("acme", returnUrl);
        return returnWithToken("/auth/acme/return", TestTokens.acme(userData), state);
    }

    public static Response session(String sessionCookie) {
        var request = given().redirects().follow(false);
        if (sessionCookie != null) {
            request.cookie("community_session", sessionCookie);
        }
        return request.get("/auth/session");
    }

    public static Response check(String sessionCookie) {
        var request = given().redirects().follow(false);
        if (sessionCookie != null) {
            request.cookie("community_session", sessionCookie);
        }
        return request.get("/auth/check");
    }

    /** Fills the choose-username form the gateway showed after a sign-on. */
    public static Response submitProfile(String pendingCookie, String username, String email) {
        String page = given().cookie("community_pending", pendingCookie).get("/auth/profile").then().statusCode(200)
                .extract().asString();
        String csrf = page.replaceAll("(?s).*name=\"csrf\" value=\"([^\"]+)\".*", "$1");
        // as a browser sends it from a UTF-8 page (REST Assured would otherwise encode ISO-8859-1)
        var request = given().redirects().follow(false).cookie("community_pending", pendingCookie)
                .contentType("application/x-www-form-urlencoded; charset=UTF-8")
                .formParam("csrf", csrf).formParam("username", username);
        if (email != null) {
            request.formParam("email", email);
        }
        return request.post("/auth/profile");
    }

    /**
     * Submits the form with a value the gateway refuses: it answers by post-redirect-get (303 back to
     * the form, no session); returns the form page that GET shows.
     */
    public static Response submitProfileRefused(String pendingCookie, String username, String email) {
        Response posted = submitProfile(pendingCookie, username, email);
        if (posted.statusCode() != 303 || !posted.header("Location").endsWith("/auth/profile")
                || posted.getCookie("community_session") != null) {
            throw new AssertionError("expected the form again by redirect, got " + posted.statusCode() + " "
                    + posted.header("Location"));
        }
        return given().redirects().follow(false).cookie("community_pending", pendingCookie).get("/auth/profile");
    }
}
