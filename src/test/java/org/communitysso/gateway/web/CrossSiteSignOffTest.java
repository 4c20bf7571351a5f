package org.communitysso.gateway.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestTokens;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A link or image on another site must not sign the member out: it gets a
 * "Sign out?" page, and only that page's form (its token is bound to the
 * member's session) signs off. The community's own links keep working.
 */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class CrossSiteSignOffTest {

    private static final String BYE = "https://community.example.com/bye";

    @ParameterizedTest
    @CsvSource({
            "Sec-Fetch-Site, cross-site",
            "Origin, https://evil.test",
            "Referer, https://evil.test/page.html",
            // a sibling host is same-site for the browser, but not the community
            "Origin, https://evil.example.com"})
    void crossSiteGetShowsTheConfirmationPageAndKeepsTheSession(String header, String value) {
        String session = signOn();
        Response page = given().redirects().follow(false).cookie(Cookies.SESSION, session).header(header, value)
                .queryParam("return_url", BYE).get("/auth/logout");

        assertEquals(200, page.statusCode());
        assertTrue(page.contentType().startsWith("text/html"), page.contentType());
        String html = page.asString();
        assertTrue(html.contains("Sign out?"), html);
        assertTrue(html.contains("<form method=\"post\" action=\"/auth/logout\">"), html);
        assertEquals(BYE, hidden(html, "return_url"));
        assertFalse(hidden(html, "csrf").isEmpty());
        assertFalse(html.contains("<script"), "the page needs no script (CSP)");
        assertNull(page.getDetailedCookie(Cookies.SESSION), "the session cookie is left alone");
        GatewayClient.session(session).then().statusCode(200);
    }

    @Test
    void thePagesButtonSignsOff() {
        String session = signOn();
        String html = given().redirects().follow(false).cookie(Cookies.SESSION, session)
                .header("Sec-Fetch-Site", "cross-site").queryParam("return_url", BYE).get("/auth/logout")
                .then().statusCode(200).extract().asString();

        // Our pages send no Referer, so the browser posts "Origin: null", which alone would be held:
        // the token is what lets this through.
        Response signOff = given().redirects().follow(false).cookie(Cookies.SESSION, session).header("Origin", "null")
                .contentType("application/x-www-form-urlencoded")
                .formParam("csrf", hidden(html, "csrf")).formParam("return_url", hidden(html, "return_url"))
                .post("/auth/logout");

        assertEquals(302, signOff.statusCode(), signOff.asString());
        assertEquals(BYE, signOff.header("Location"));
        assertEquals("", signOff.getDetailedCookie(Cookies.SESSION).getValue());
        GatewayClient.session(session).then().statusCode(401);
    }

    @ParameterizedTest
    @CsvSource(value = {"NONE", "''", "forged-token", "ALTERED"}, nullValues = "NONE")
    void crossSitePostWithoutAValidTokenShowsThePageAndSignsNothingOff(String csrf) {
        String session = signOn();
        if ("ALTERED".equals(csrf)) {
            String real = pageToken(session);
            csrf = (real.charAt(0) == 'A' ? "B" : "A") + real.substring(1);
        }
        var request = given().redirects().follow(false).cookie(Cookies.SESSION, session)
                .header("Origin", "https://evil.test").contentType("application/x-www-form-urlencoded")
                .formParam("return_url", BYE);
        if (csrf != null) {
            request.formParam("csrf", csrf);
        }
        request.post("/auth/logout").then().statusCode(200).body(containsString("Sign out?"));
        GatewayClient.session(session).then().statusCode(200);
    }

    @Test
    void aTokenFromAnotherMembersSessionDoesNotWork() {
        String mallory = signOn();
        String victim = signOn();
        String mallorysToken = pageToken(mallory);
        assertNotEquals(mallorysToken, pageToken(victim));

        given().redirects().follow(false).cookie(Cookies.SESSION, victim).header("Sec-Fetch-Site", "cross-site")
                .contentType("application/x-www-form-urlencoded").formParam("csrf", mallorysToken)
                .post("/auth/logout")
                .then().statusCode(200).body(containsString("Sign out?"));
        GatewayClient.session(victim).then().statusCode(200);
        GatewayClient.session(mallory).then().statusCode(200);
    }

    @ParameterizedTest
    @CsvSource({
            "Sec-Fetch-Site, same-site, Referer, https://community.example.com/topic/1",
            "Sec-Fetch-Site, same-origin, Origin, null",
            "Sec-Fetch-Site, none, X-Nothing, -",
            "Origin, https://community.example.com, X-Nothing, -",
            "Referer, https://community.example.com:443/topic/1?page=2, X-Nothing, -",
            "Referer, GATEWAY/, X-Nothing, -"})
    void sameSiteGetSignsOffAtOnce(String header, String value, String header2, String value2) {
        String session = signOn();
        String gateway = "http://localhost:" + RestAssured.port;
        given().redirects().follow(false).cookie(Cookies.SESSION, session)
                .header(header, value.replace("GATEWAY", gateway)).header(header2, value2)
                .queryParam("return_url", BYE).get("/auth/logout")
                .then().statusCode(302).header("Location", BYE);
        GatewayClient.session(session).then().statusCode(401);
    }

    @Test
    void crossSiteGetWithoutASessionJustRedirects() {
        given().redirects().follow(false).header("Sec-Fetch-Site", "cross-site").queryParam("return_url", BYE)
                .get("/auth/logout")
                .then().statusCode(302).header("Location", BYE);
    }

    @Test
    void aHeldSignOffIsAuditedWithoutTheToken() {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger audit = Logger.getLogger("audit");
        audit.addHandler(capture);
        try {
            String session = signOn();
            String token = pageToken(session);
            given().cookie(Cookies.SESSION, session).header("Origin", "https://evil.test")
                    .contentType("application/x-www-form-urlencoded").formParam("csrf", token + "x")
                    .post("/auth/logout").then().statusCode(200);
            String held = lines.stream().filter(l -> l.contains("sign_off_refused")).reduce("", String::concat);
            assertTrue(held.contains("sign_off_refused reason=cross_site"), lines.toString());
            assertTrue(held.contains("signal=origin"), held);
            assertTrue(held.contains("token=invalid"), held);
            assertFalse(held.contains(token) || held.contains(session), held);
        } finally {
            audit.removeHandler(capture);
        }
    }

    /** Signs a new member on through the shared-secret connector; returns the session cookie. */
    private static String signOn() {
        String id = "xs-" + UUID.randomUUID();
        String state = GatewayClient.startSignOn("shared", "/here");
        Response back = GatewayClient.returnWithToken("/auth/shared/return",
                TestTokens.sharedSecretToken(Map.of("id", id, "username", "xs" + id.substring(3, 12))), state);
        assertEquals(302, back.statusCode(), back.asString());
        return back.getCookie(Cookies.SESSION);
    }

    /** The token of the confirmation page a cross-site link shows this session. */
    private static String pageToken(String session) {
        String html = given().redirects().follow(false).cookie(Cookies.SESSION, session)
                .header("Sec-Fetch-Site", "cross-site").get("/auth/logout").then().statusCode(200).extract().asString();
        return hidden(html, "csrf");
    }

    private static String hidden(String html, String name) {
        String marker = "name=\"" + name + "\" value=\"";
        int start = html.indexOf(marker);
        assertTrue(start >= 0, "no field " + name + " in " + html);
        start += marker.length();
        return html.substring(start, html.indexOf('"', start));
    }
}
