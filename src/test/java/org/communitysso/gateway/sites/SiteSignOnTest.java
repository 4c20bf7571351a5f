package org.communitysso.gateway.sites;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.communitysso.gateway.session.SessionService;
import org.communitysso.gateway.testing.Db;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.MovableTimeSource;
import org.communitysso.gateway.testing.TestIdp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC 7, issue 11: one sign-on for the community's sites. The sites of the test
 * profile: shop and docs (auto), events (opt-in), vault (disabled).
 */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class SiteSignOnTest {

    @Inject
    Db db;
    @Inject
    MovableTimeSource clock;
    @Inject
    SessionService sessions;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    @Test
    void signOnOnceAtShopThenDocsGetsTheMemberWithoutTheIdp() {
        String shopReturn = SiteClient.callback("shop");
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", shopReturn);
        JsonPath atShop = SiteClient.exchange("shop", member.ott()).then().statusCode(200).extract().jsonPath();
        assertEquals(member.externalId(), atShop.getString("externalId"));
        assertEquals("acme", atShop.getString("connector"));

        // docs sends the member to the gateway: straight back with an OTT, no IdP in between
        String docsReturn = SiteClient.callback("docs");
        Response toDocs = SiteClient.authorize("docs", docsReturn, member.session(), null);
        String docsOtt = SiteClient.ott(toDocs, docsReturn);
        JsonPath atDocs = SiteClient.exchange("docs", docsOtt).then().statusCode(200)
                .header("Cache-Control", "no-store").extract().jsonPath();

        assertEquals(atShop.getString("userId"), atDocs.getString("userId"));
        assertEquals(atShop.getString("username"), atDocs.getString("username"));
        assertEquals(atShop.getString("ssoSession"), atDocs.getString("ssoSession"),
                "one sign-on, one ssoSession per browser");
        assertTrue(atDocs.getLong("expiresIn") > 47 * 3600, atDocs.prettify());
        assertTrue(atDocs.getString("ssoSession").length() >= 22, "an opaque random id");
        assertNotEquals(member.session(), atDocs.getString("ssoSession"), "never the session cookie itself");
        assertTrue(atDocs.getList("customRoles").isEmpty());

        // and both sites may ask while the gateway session lives
        SiteClient.ssoSession("shop", atShop.getString("ssoSession")).then().statusCode(200)
                .body("userId", equalTo(atShop.getString("userId")));
        SiteClient.ssoSession("docs", atShop.getString("ssoSession")).then().statusCode(200)
                .body("externalId", equalTo(member.externalId()));
    }

    @Test
    void withoutASessionTheMemberSignsOnAndComesBackWithAnOtt() {
        Response toSignIn = SiteClient.authorize("shop", SiteClient.callback("shop"), null, null);
        assertEquals(302, toSignIn.statusCode());
        // several connectors: the sign-in page, which sends the member back to /sso/authorize afterwards
        assertTrue(SiteClient.local(toSignIn.header("Location")).startsWith("/auth/login?return_url=%2Fsso%2Fauthorize%3Fsite%3Dshop"),
                SiteClient.local(toSignIn.header("Location")));
        assertFalse(SiteClient.local(toSignIn.header("Location")).contains("prompt=login"));
        String page = given().urlEncodingEnabled(false).get(SiteClient.local(toSignIn.header("Location"))).then().statusCode(200)
                .extract().asString();
        assertTrue(page.contains("/auth/acme/login?return_url=%2Fsso%2Fauthorize"), page);
    }

    @Test
    void aNewMemberWhoChoosesAUsernameFirstStillComesBackWithAnOtt() {
        String returnUrl = SiteClient.callback("docs");
        Response toSignIn = SiteClient.authorize("docs", returnUrl, null, null);
        String target = SiteClient.parameter(SiteClient.local(toSignIn.header("Location")), "return_url").orElseThrow();
        String id = "newbie-" + UUID.randomUUID();
        String state = GatewayClient.startSignOn("acme", target);
        Response back = GatewayClient.returnWithToken("/auth/acme/return",
                org.communitysso.gateway.testing.TestTokens.acme(java.util.Map.of("id", id)), state);
        assertEquals(303, back.statusCode(), "the choose-username form first");
        String username = "n" + id.substring(7, 17).replace("-", "");
        Response signedUp = GatewayClient.submitProfile(back.getCookie("community_pending"), username, null);
        assertEquals(302, signedUp.statusCode(), signedUp.asString());
        assertEquals(target, SiteClient.local(signedUp.header("Location")));
        Response toSite = given().redirects().follow(false).urlEncodingEnabled(false)
                .cookie("community_session", signedUp.getCookie("community_session"))
                .cookie("community_sso_resume", toSignIn.getCookie("community_sso_resume")).get(target);
        SiteClient.exchange("docs", SiteClient.ott(toSite, returnUrl)).then().statusCode(200)
                .body("username", equalTo(username)).body("externalId", equalTo(id));
    }

    @Test
    void aResumeValueWithoutItsCookieDoesNotSkipTheOptInPage() {
        String returnUrl = SiteClient.callback("events");
        Response toSignIn = SiteClient.authorize("events", returnUrl, null, null);
        String target = SiteClient.parameter(SiteClient.local(toSignIn.header("Location")), "return_url").orElseThrow();
        Response back = SiteClient.idpSignOn(target, "site-" + UUID.randomUUID(), "r" + UUID.randomUUID()
                .toString().substring(0, 10));
        String session = back.getCookie("community_session");
        // the member's own browser, with the cookie: straight back to the site, no second question
        Response withCookie = given().redirects().follow(false).urlEncodingEnabled(false)
                .cookie("community_session", session)
                .cookie("community_sso_resume", toSignIn.getCookie("community_sso_resume")).get(target);
        SiteClient.ott(withCookie, returnUrl);
        // the same URL replayed by a site (no resume cookie, or another one): the opt-in page again
        Response replayed = given().redirects().follow(false).urlEncodingEnabled(false)
                .cookie("community_session", session).cookie("community_sso_resume", "another").get(target);
        assertEquals(200, replayed.statusCode());
        assertTrue(replayed.asString().contains("Continue as"), replayed.asString());
    }

    @Test
    void optInSiteAsksContinueAsAndOnlyItsFormIssuesTheOtt() {
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        String username = SiteClient.exchange("shop", member.ott()).jsonPath().getString("username");
        String returnUrl = SiteClient.callback("events");
        SiteClient.SignedOn other = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        long before = db.count("SELECT COUNT(*) FROM sso_one_time_tokens");

        Response page = SiteClient.authorize("events", returnUrl, member.session(), null);
        assertEquals(200, page.statusCode());
        assertNull(page.header("Location"));
        String html = page.asString();
        assertTrue(html.contains("Continue as " + username + "?"), html);
        assertTrue(html.contains("Community Events"), html);
        assertTrue(html.contains("<form method=\"post\" action=\"/sso/authorize\">"), html);
        assertFalse(html.contains("ott="), "nothing issued by showing the page");
        assertEquals(before, db.count("SELECT COUNT(*) FROM sso_one_time_tokens"));
        String csrf = hidden(html, "csrf");

        // a page elsewhere posting the form: no token, a forged one, another member's: refused, nothing issued
        String othersCsrf = hidden(SiteClient.authorize("events", returnUrl, other.session(), null).asString(), "csrf");
        for (String bad : new String[] {null, "", "forged", othersCsrf}) {
            var post = given().redirects().follow(false).cookie("community_session", member.session())
                    .contentType("application/x-www-form-urlencoded")
                    .formParam("site", "events").formParam("return_url", returnUrl);
            if (bad != null) {
                post.formParam("csrf", bad);
            }
            Response refused = post.post("/sso/authorize");
            assertEquals(403, refused.statusCode(), "csrf " + bad);
            assertTrue(refused.asString().contains("csrf_invalid"));
            assertNull(refused.header("Location"));
        }
        // the token is bound to the return_url too: it cannot send the OTT elsewhere on the site
        given().redirects().follow(false).cookie("community_session", member.session())
                .contentType("application/x-www-form-urlencoded").formParam("site", "events")
                .formParam("return_url", SiteClient.ORIGINS.get("events") + "/elsewhere").formParam("csrf", csrf)
                .post("/sso/authorize").then().statusCode(403);
        assertEquals(before, db.count("SELECT COUNT(*) FROM sso_one_time_tokens"));

        Response continued = given().redirects().follow(false).cookie("community_session", member.session())
                .contentType("application/x-www-form-urlencoded").formParam("site", "events")
                .formParam("return_url", returnUrl).formParam("csrf", csrf).post("/sso/authorize");
        String ott = SiteClient.ott(continued, returnUrl);
        SiteClient.exchange("events", ott).then().statusCode(200).body("externalId", equalTo(member.externalId()));
    }

    @Test
    void optInUseAnotherAccountGoesToTheIdpWithPromptLogin() {
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        String returnUrl = SiteClient.callback("events");
        String html = SiteClient.authorize("events", returnUrl, member.session(), null).asString();
        String another = html.replaceAll("(?s).*id=\"another-account\" href=\"([^\"]+)\".*", "$1").replace("&amp;", "&");
        assertTrue(another.startsWith("/sso/authorize?site=events&"), another);

        Response toSignIn = given().redirects().follow(false).urlEncodingEnabled(false)
                .cookie("community_session", member.session()).get(another);
        assertEquals(302, toSignIn.statusCode());
        String location = SiteClient.local(toSignIn.header("Location"));
        assertTrue(location.startsWith("/auth/login?") && location.endsWith("&prompt=login"), location);
        // the sign-in page carries prompt=login to each IdP: the token IdP and an OpenID Connect one
        String page = given().urlEncodingEnabled(false).get(location).then().statusCode(200).extract().asString();
        String target = SiteClient.parameter(location, "return_url").orElseThrow();
        Response atAcme = given().redirects().follow(false).queryParam("return_url", target)
                .queryParam("prompt", "login").get("/auth/acme/login");
        assertTrue(page.contains("/auth/acme/login?return_url="), page);
        assertTrue(page.contains("&amp;prompt=login"), page);
        assertTrue(atAcme.header("Location").contains("prompt=login"), atAcme.header("Location"));
        Response atOidc = given().redirects().follow(false).queryParam("return_url", target)
                .queryParam("prompt", "login").get("/auth/oidc-a/login");
        assertEquals(302, atOidc.statusCode(), atOidc.asString());
        assertTrue(atOidc.header("Location").contains("prompt=login"), atOidc.header("Location"));

        // the other account signs on; back at /sso/authorize it goes to the site without asking again
        String otherId = "other-" + UUID.randomUUID();
        Response back = SiteClient.idpSignOn(target, otherId, "o" + otherId.substring(6, 16).replace("-", ""),
                member.session());
        Response toSite = given().redirects().follow(false).urlEncodingEnabled(false)
                .cookie("community_session", back.getCookie("community_session"))
                .cookie("community_sso_resume", toSignIn.getCookie("community_sso_resume")).get(target);
        String ott = SiteClient.ott(toSite, returnUrl);
        SiteClient.exchange("events", ott).then().statusCode(200).body("externalId", equalTo(otherId));
        // it replaced the browser's session: the first member is signed off
        GatewayClient.session(member.session()).then().statusCode(401);
    }

    @Test
    void promptLoginOnAnAutoSiteForcesAFreshSignOnEvenWithASession() {
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        Response forced = SiteClient.authorize("docs", SiteClient.callback("docs"), member.session(), "login");
        assertEquals(302, forced.statusCode());
        assertTrue(SiteClient.local(forced.header("Location")).startsWith("/auth/login?"), SiteClient.local(forced.header("Location")));
        assertTrue(SiteClient.local(forced.header("Location")).endsWith("&prompt=login"), SiteClient.local(forced.header("Location")));
        assertFalse(SiteClient.local(forced.header("Location")).contains("ott="));
    }

    @Test
    void promptNoneNeverShowsAPage() {
        long before = db.count("SELECT COUNT(*) FROM sso_one_time_tokens");
        String returnUrl = SiteClient.callback("shop");
        Response noSession = SiteClient.authorize("shop", returnUrl, null, "none");
        assertEquals(302, noSession.statusCode());
        assertEquals(returnUrl + "&error=login_required", noSession.header("Location"));
        assertEquals(302, SiteClient.authorize("vault", SiteClient.callback("vault"), null, "none").statusCode());
        assertEquals(before, db.count("SELECT COUNT(*) FROM sso_one_time_tokens"), "nothing issued");

        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        String eventsReturn = SiteClient.callback("events");
        Response optIn = SiteClient.authorize("events", eventsReturn, member.session(), "none");
        assertEquals(eventsReturn + "&error=consent_required", optIn.header("Location"));
        String docsReturn = SiteClient.callback("docs");
        SiteClient.ott(SiteClient.authorize("docs", docsReturn, member.session(), "none"), docsReturn);
        // a disabled site never uses the browser's session, so without a page it can only say: sign in
        Response disabled = SiteClient.authorize("vault", SiteClient.callback("vault"), member.session(), "none");
        assertTrue(disabled.header("Location").endsWith("&error=login_required"), disabled.header("Location"));
    }

    @Test
    void disabledSiteAsksTheIdpAgainAndLeavesTheMembersSessionAlone() {
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        JsonPath atShop = SiteClient.exchange("shop", member.ott()).jsonPath();
        String returnUrl = SiteClient.callback("vault");

        Response toSignIn = SiteClient.authorize("vault", returnUrl, member.session(), null);
        assertEquals(302, toSignIn.statusCode());
        assertTrue(SiteClient.local(toSignIn.header("Location")).startsWith("/auth/login?"), "the IdP is asked again, no OTT: "
                + SiteClient.local(toSignIn.header("Location")));
        String target = SiteClient.parameter(SiteClient.local(toSignIn.header("Location")), "return_url").orElseThrow();
        Response back = SiteClient.idpSignOn(target, member.externalId(), atShop.getString("username"),
                member.session());
        assertNull(back.getCookie("community_session"), "the browser's gateway session is not replaced");
        String vaultSession = back.getCookie("community_sso_vault");
        assertTrue(vaultSession != null && !vaultSession.isEmpty());
        assertEquals("/sso", back.getDetailedCookie("community_sso_vault").getPath());

        Response toVault = given().redirects().follow(false).urlEncodingEnabled(false)
                .cookie("community_session", member.session()).cookie("community_sso_vault", vaultSession)
                .cookie("community_sso_resume", toSignIn.getCookie("community_sso_resume")).get(target);
        JsonPath atVault = SiteClient.exchange("vault", SiteClient.ott(toVault, returnUrl)).then().statusCode(200)
                .extract().jsonPath();
        assertEquals(atShop.getString("userId"), atVault.getString("userId"));
        assertNotEquals(atShop.getString("ssoSession"), atVault.getString("ssoSession"), "a sign-on of its own");

        // the vault's sign-on signs the browser on nowhere else: another site sees only the browser's own session
        // (a browser with the vault's cookie alone is sent to sign in), and shop knows nothing of the vault's
        Response vaultCookieOnly = given().redirects().follow(false).cookie("community_sso_vault", vaultSession)
                .queryParam("site", "docs").queryParam("return_url", SiteClient.callback("docs")).get("/sso/authorize");
        assertTrue(SiteClient.local(vaultCookieOnly.header("Location")).startsWith("/auth/login?"),
                vaultCookieOnly.header("Location"));
        SiteClient.ssoSession("shop", atVault.getString("ssoSession")).then().statusCode(404);
        GatewayClient.session(member.session()).then().statusCode(200);
        SiteClient.ssoSession("shop", atShop.getString("ssoSession")).then().statusCode(200);

        // signing off at the vault ends the vault's sign-on only
        given().redirects().follow(false).cookie("community_session", member.session())
                .cookie("community_sso_vault", vaultSession).queryParam("site", "vault")
                .queryParam("return_url", "https://vault.example.com/bye").get("/sso/logout")
                .then().statusCode(302);
        SiteClient.ssoSession("vault", atVault.getString("ssoSession")).then().statusCode(404);
        SiteClient.ssoSession("shop", atShop.getString("ssoSession")).then().statusCode(200);
        GatewayClient.session(member.session()).then().statusCode(200);
    }

    @Test
    void ssoSessionCountsAsActivityOnlyWhenTheSiteSaysTouch() {
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        String ssoSession = SiteClient.exchange("shop", member.ott()).jsonPath().getString("ssoSession");
        long seen = lastSeen(member.externalId());
        clock.advance(Duration.ofMinutes(10));
        SiteClient.ssoSession("shop", ssoSession).then().statusCode(200);
        sessions.flushActivity(); // what the scheduler does every activity-flush-interval
        assertEquals(seen, lastSeen(member.externalId()), "a plain check is no activity");
        given().header("Authorization", SiteClient.basic("shop", SiteClient.SECRETS.get("shop")))
                .queryParam("ssoSession", ssoSession).queryParam("touch", "true").get("/sso/session")
                .then().statusCode(200);
        sessions.flushActivity();
        assertTrue(lastSeen(member.externalId()) >= seen + 600, "touch=true is activity");
    }

    @Test
    void inactivityEndsTheSignOnForEverySite() {
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        String ssoSession = SiteClient.exchange("shop", member.ott()).jsonPath().getString("ssoSession");
        clock.advance(Duration.ofHours(48).plusSeconds(1));
        SiteClient.ssoSession("shop", ssoSession).then().statusCode(404).body("error", equalTo("no_session"));
    }

    @Test
    void sitesAttachSmallDataToTheirSignOnAndReadItBack() {
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        String ssoSession = SiteClient.exchange("shop", member.ott()).jsonPath().getString("ssoSession");
        String shop = SiteClient.basic("shop", SiteClient.SECRETS.get("shop"));
        given().header("Authorization", shop).queryParam("ssoSession", ssoSession).get("/sso/session/data")
                .then().statusCode(204);
        given().header("Authorization", shop).queryParam("ssoSession", ssoSession).contentType("application/json")
                .body("{\"basket\":3,\"seen\":[\"docs\"]}").put("/sso/session/data").then().statusCode(204);
        given().header("Authorization", shop).queryParam("ssoSession", ssoSession).get("/sso/session/data")
                .then().statusCode(200).body("basket", equalTo(3)).body("seen[0]", equalTo("docs"));

        String big = "{\"x\":\"" + "a".repeat(4100) + "\"}";
        given().header("Authorization", shop).queryParam("ssoSession", ssoSession).contentType("application/json")
                .body(big).put("/sso/session/data").then().statusCode(413).body("error", equalTo("data_too_large"));
        given().header("Authorization", shop).queryParam("ssoSession", ssoSession).contentType("application/json")
                .body("{not json").put("/sso/session/data").then().statusCode(400).body("error", equalTo("invalid_data"));
        // docs has no sign-on under this ssoSession: nothing to read or write
        String docs = SiteClient.basic("docs", SiteClient.SECRETS.get("docs"));
        given().header("Authorization", docs).queryParam("ssoSession", ssoSession).get("/sso/session/data")
                .then().statusCode(404).body("error", equalTo("no_session"));
        given().header("Authorization", SiteClient.basic("shop", "wrong-secret-wrong-secret-wrong-secret"))
                .queryParam("ssoSession", ssoSession).get("/sso/session/data")
                .then().statusCode(401).body("error", equalTo("invalid_client"));
        given().header("Authorization", shop).queryParam("ssoSession", ssoSession).get("/sso/session/data")
                .then().statusCode(200).body("basket", equalTo(3));
    }

    private long lastSeen(String externalId) {
        return db.count("SELECT last_seen_at FROM sessions WHERE external_id = ?1", externalId);
    }

    static String hidden(String html, String name) {
        return html.replaceAll("(?s).*name=\"" + name + "\" value=\"([^\"]*)\".*", "$1");
    }
}
