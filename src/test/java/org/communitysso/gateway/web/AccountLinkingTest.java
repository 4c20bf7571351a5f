package org.communitysso.gateway.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.communitysso.gateway.testing.Db;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.MovableTimeSource;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestTokens;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC 4 "a signed-in member can link a further connector", against MariaDB:
 * linking after {@code email_taken}, from the account page, unlinking, signing
 * out everywhere, and the refusals (another account, stale or replayed state,
 * forged forms). Acme does not vouch for emails; Partner does.
 */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class AccountLinkingTest {

    @Inject
    Db db;
    @Inject
    MovableTimeSource time;

    @AfterEach
    void resetClock() {
        time.reset();
    }

    /** A member with an account made through Partner (verified email); returns the session cookie. */
    private static String partnerMember(String partnerId, String username, String email) {
        Response back = GatewayClient.returnWithToken("/auth/partner/return",
                partnerToken(Map.of("id", partnerId, "username", username, "email", email)), null);
        assertEquals(302, back.statusCode(), back.asString());
        return back.getCookie("community_session");
    }

    @Test
    void emailTakenOffersToLinkAndBothMethodsThenSignIntoOneAccount() {
        String id = newId();
        String email = id + "@linking.test";
        String username = "m" + id + "own";
        String session = partnerMember("p-" + id, username, email);
        String accountId = GatewayClient.session(session).jsonPath().getString("userId");

        Response refused = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", "a-" + id, "email", email)), GatewayClient.startSignOn("acme", "/forum/t/42"));
        refused.then().statusCode(409)
                .body(containsString("email_taken"))
                .body(containsString("Sign in with Partner to link"))
                .body(containsString("id=\"link-with-partner\""))
                // names the existing account's methods only: not its email, username or ids
                .body(not(containsString(email)))
                .body(not(containsString(username)))
                .body(not(containsString("p-" + id)))
                .body(not(containsString("id=\"link-with-acme\"")));
        String link = refused.getCookie("community_link");
        assertNotNull(link);
        assertNull(refused.getCookie("community_session"));
        assertEquals(0, db.linksFor("a-" + id), "nothing linked before the member proves the account");
        assertEquals(0, db.count("SELECT COUNT(*) FROM pending_links WHERE id_hash = ?1", link),
                "the database holds the link's hash, never the cookie value");

        // Back or refresh shows the same offer again
        given().cookie("community_link", link).get("/auth/link").then().statusCode(409)
                .body(containsString("id=\"link-with-partner\""));

        Response chosen = chooseProof(link, csrfOf(refused.asString()), "partner");
        assertEquals(303, chosen.statusCode(), chosen.asString());
        assertTrue(chosen.header("Location").endsWith("/auth/partner/login?return_url=%2Fforum%2Ft%2F42"),
                chosen.header("Location"));

        Response proved = partnerReturn("p-" + id, email, link, null);
        assertEquals(302, proved.statusCode(), proved.asString());
        String confirmation = proved.header("Location");
        assertTrue(confirmation.contains("/auth/account?linked=acme"), confirmation);
        assertTrue(URLDecoder.decode(confirmation, StandardCharsets.UTF_8).contains("return_url=/forum/t/42"), confirmation);
        String linkedSession = proved.getCookie("community_session");
        given().urlEncodingEnabled(false).cookie("community_session", linkedSession).get(confirmation).then()
                .statusCode(200)
                .body(containsString("Sign in with Acme is now linked to your account"))
                .body(containsString("href=\"/forum/t/42\""));
        assertEquals(1, db.linksFor("a-" + id));

        // from now on Acme alone signs in to the same account
        Response acme = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", "a-" + id, "email", email)), null);
        assertEquals(302, acme.statusCode(), acme.asString());
        GatewayClient.session(acme.getCookie("community_session")).then().body("userId", equalTo(accountId))
                .body("connector", equalTo("acme"));
        assertEquals(2, db.count("SELECT COUNT(*) FROM external_identities WHERE account_id = ?1",
                Long.parseLong(accountId)));

        // the used linking state is refused when replayed
        chooseProof(link, csrfOf(refused.asString()), "partner").then().statusCode(400)
                .body(containsString("link_invalid"));
    }

    @Test
    void secondSignOnAsAnotherAccountIsRefusedAndLinksNothing() {
        String id = newId();
        String email = id + "@mismatch.test";
        partnerMember("p-" + id, "m" + id + "own", email);
        // the member also has (or an attacker has) another Partner account
        partnerMember("other-" + id, "m" + id + "other", "other-" + email);

        Response refused = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", "a-" + id, "email", email)), null);
        String link = refused.getCookie("community_link");
        chooseProof(link, csrfOf(refused.asString()), "partner").then().statusCode(303);

        Response other = partnerReturn("other-" + id, "other-" + email, link, null);
        other.then().statusCode(409).body(containsString("link_account_mismatch"));
        assertNull(other.getCookie("community_session"), "no session for the refused sign-on");
        assertEquals(0, db.linksFor("a-" + id), "nothing linked");

        // a new Partner identity (which would make a new account) is refused too, and provisions nothing
        Response refusedAgain = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", "a-" + id, "email", email)), null);
        String secondLink = refusedAgain.getCookie("community_link");
        chooseProof(secondLink, csrfOf(refusedAgain.asString()), "partner").then().statusCode(303);
        partnerReturn("new-" + id, null, secondLink, null).then().statusCode(409)
                .body(containsString("link_account_mismatch"));
        assertEquals(0, db.linksFor("new-" + id));
        assertEquals(0, db.linksFor("a-" + id));
    }

    @Test
    void staleForgedOrReplayedLinkingStateIsRefused() {
        String id = newId();
        String email = id + "@stale.test";
        partnerMember("p-" + id, "m" + id + "own", email);
        Response refused = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", "a-" + id, "email", email)), null);
        String link = refused.getCookie("community_link");
        String csrf = csrfOf(refused.asString());

        chooseProof(link, "forged", "partner").then().statusCode(403).body(containsString("csrf_invalid"));
        chooseProof("not-" + link, csrf, "partner").then().statusCode(400).body(containsString("link_invalid"));
        // only the existing account's own methods can prove it
        chooseProof(link, csrf, "acme").then().statusCode(400).body(containsString("link_invalid"));

        time.advance(Duration.ofMinutes(11)); // beyond gateway.sign-on-timeout
        chooseProof(link, csrf, "partner").then().statusCode(400).body(containsString("link_invalid"));
        given().cookie("community_link", link).get("/auth/link").then().statusCode(400)
                .body(containsString("link_invalid"));
        time.reset();

        // armed, then expired before the IdP answered: the sign-on is an ordinary one, nothing is linked
        Response fresh = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", "a-" + id, "email", email)), null);
        String freshLink = fresh.getCookie("community_link");
        chooseProof(freshLink, csrfOf(fresh.asString()), "partner").then().statusCode(303);
        time.advance(Duration.ofMinutes(11));
        Response late = partnerReturn("p-" + id, email, freshLink, null, 11 * 60);
        assertEquals(302, late.statusCode(), late.asString());
        assertTrue(!late.header("Location").contains("linked="), late.header("Location"));
        assertEquals(0, db.linksFor("a-" + id));
    }

    @Test
    void memberLinksAnotherMethodFromTheAccountPage() {
        String id = newId();
        String session = partnerMember("p-" + id, "m" + id + "own", id + "@page.test");
        String accountId = GatewayClient.session(session).jsonPath().getString("userId");

        String page = accountPage(session).then().statusCode(200)
                .body(containsString("id=\"method-partner\""))
                .body(containsString("id=\"link-acme\""))
                .body(not(containsString("id=\"unlink-partner\""))) // the only method cannot be removed
                .extract().asString();
        Response start = given().redirects().follow(false).cookie("community_session", session)
                .formParam("csrf", csrfOf(page)).formParam("connector", "acme").post("/auth/account/link");
        assertEquals(303, start.statusCode(), start.asString());
        assertTrue(start.header("Location").endsWith("/auth/acme/login?return_url=%2Fauth%2Faccount"));
        String link = start.getCookie("community_link");

        String state = GatewayClient.startSignOn("acme", "/auth/account");
        Response back = given().redirects().follow(false).queryParam("token",
                        TestTokens.acme(Map.of("id", "a-" + id, "email", "another-" + id + "@page.test")))
                .cookie("community_sign_on", state).cookie("community_link", link).cookie("community_session", session)
                .get("/auth/acme/return");
        assertEquals(303, back.statusCode(), back.asString());
        assertTrue(back.header("Location").endsWith("/auth/account?linked=acme"), back.header("Location"));
        given().urlEncodingEnabled(false).cookie("community_session", session).get(back.header("Location")).then()
                .body(containsString("Sign in with Acme is now linked to your account"))
                .body(not(containsString("id=\"continue\"")));
        accountPage(session).then().body(containsString("id=\"method-acme\"")).body(containsString("id=\"unlink-acme\""));

        Response acme = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", "a-" + id)), null);
        GatewayClient.session(acme.getCookie("community_session")).then().body("userId", equalTo(accountId));
    }

    @Test
    void accountPageLinkOfAnIdentityThatBelongsToAnotherAccountIsRefused() {
        String id = newId();
        String session = partnerMember("p-" + id, "m" + id + "own", id + "@mine.test");
        // someone else's Acme account
        Response theirs = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", "a-" + id, "username", "m" + id + "theirs")), null);
        assertEquals(302, theirs.statusCode());
        String theirAccount = GatewayClient.session(theirs.getCookie("community_session")).jsonPath().getString("userId");

        String link = given().redirects().follow(false).cookie("community_session", session)
                .formParam("csrf", csrfOf(accountPage(session).asString())).formParam("connector", "acme")
                .post("/auth/account/link").getCookie("community_link");
        Response back = given().redirects().follow(false)
                .queryParam("token", TestTokens.acme(Map.of("id", "a-" + id)))
                .cookie("community_sign_on", GatewayClient.startSignOn("acme", "/auth/account"))
                .cookie("community_link", link).cookie("community_session", session)
                .get("/auth/acme/return");
        back.then().statusCode(409).body(containsString("link_refused"));
        assertEquals(1, db.count("SELECT COUNT(*) FROM external_identities WHERE external_id = ?1 AND account_id = ?2",
                "a-" + id, Long.parseLong(theirAccount)));
    }

    @Test
    void unlinkRemovesAMethodButNeverTheLastOne() {
        String id = newId();
        String email = id + "@unlink.test";
        String session = partnerMember("p-" + id, "m" + id + "own", email);
        String accountId = GatewayClient.session(session).jsonPath().getString("userId");
        linkAcmeFromAccountPage(session, "a-" + id);
        Response acme = GatewayClient.returnWithToken("/auth/acme/return", TestTokens.acme(Map.of("id", "a-" + id)),
                null);
        String acmeSession = acme.getCookie("community_session");
        GatewayClient.session(acmeSession).then().statusCode(200).body("userId", equalTo(accountId));

        String csrf = csrfOf(accountPage(session).asString());
        // a forged form changes nothing
        given().redirects().follow(false).cookie("community_session", session).formParam("csrf", "forged")
                .formParam("connector", "acme").post("/auth/account/unlink").then().statusCode(403)
                .body(containsString("csrf_invalid"));
        // another session's token does not fit this session
        given().redirects().follow(false).cookie("community_session", session)
                .formParam("csrf", csrfOf(accountPage(acmeSession).asString()))
                .formParam("connector", "acme").post("/auth/account/unlink").then().statusCode(403);
        assertEquals(1, db.linksFor("a-" + id));
        // a method the account does not have, or text that is no connector id: 404, nothing changed
        for (String other : List.of("github", "acme\nevent=forged", "")) {
            given().redirects().follow(false).cookie("community_session", session).formParam("csrf", csrf)
                    .formParam("connector", other).post("/auth/account/unlink").then().statusCode(404)
                    .body(containsString("not_found"));
        }
        assertEquals(1, db.linksFor("a-" + id));

        Response removed = given().redirects().follow(false).cookie("community_session", session)
                .formParam("csrf", csrf).formParam("connector", "acme").post("/auth/account/unlink");
        assertEquals(303, removed.statusCode(), removed.asString());
        assertEquals(0, db.linksFor("a-" + id));
        GatewayClient.session(acmeSession).then().statusCode(401); // sessions through the removed method end
        GatewayClient.session(session).then().statusCode(200);
        given().urlEncodingEnabled(false).cookie("community_session", session).get(removed.header("Location")).then()
                .body(containsString("Sign in with Acme was removed from your account"));

        given().redirects().follow(false).cookie("community_session", session).formParam("csrf", csrf)
                .formParam("connector", "partner").post("/auth/account/unlink").then().statusCode(409)
                .body(containsString("last_sign_in_method"));
        assertEquals(1, db.linksFor("p-" + id));
        // Acme's id is free again: it now makes a new account
        Response again = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", "a-" + id, "username", "m" + id + "new")), null);
        GatewayClient.session(again.getCookie("community_session")).then()
                .body("userId", not(equalTo(accountId)));
    }

    @Test
    void signOutEverywhereEndsEverySessionOfTheMember() {
        String id = newId();
        String email = id + "@everywhere.test";
        String first = partnerMember("p-" + id, "m" + id + "own", email);
        String second = partnerMember("p-" + id, "m" + id + "own", email);
        String stranger = partnerMember("s-" + id, "m" + id + "stranger", "s-" + email);

        String csrf = csrfOf(accountPage(first).asString());
        given().redirects().follow(false).cookie("community_session", first).formParam("csrf", "nope")
                .post("/auth/account/sign-out-everywhere").then().statusCode(403);
        GatewayClient.session(second).then().statusCode(200);

        Response out = given().redirects().follow(false).cookie("community_session", first).formParam("csrf", csrf)
                .post("/auth/account/sign-out-everywhere");
        assertEquals(303, out.statusCode());
        assertEquals("", out.getCookie("community_session"));
        GatewayClient.session(first).then().statusCode(401);
        GatewayClient.session(second).then().statusCode(401);
        GatewayClient.session(stranger).then().statusCode(200);
        assertEquals(0, db.sessionsFor("p-" + id));
    }

    @Test
    void accountPageWithoutASessionAsksToSignIn() {
        Response response = given().redirects().follow(false).get("/auth/account");
        assertEquals(303, response.statusCode());
        assertTrue(response.header("Location").endsWith("/auth/login?return_url=%2Fauth%2Faccount"));
        given().redirects().follow(false).formParam("csrf", "x").formParam("connector", "acme")
                .post("/auth/account/unlink").then().statusCode(401);
    }

    private static void linkAcmeFromAccountPage(String session, String acmeId) {
        String link = given().redirects().follow(false).cookie("community_session", session)
                .formParam("csrf", csrfOf(accountPage(session).asString())).formParam("connector", "acme")
                .post("/auth/account/link").getCookie("community_link");
        Response back = given().redirects().follow(false).queryParam("token", TestTokens.acme(Map.of("id", acmeId)))
                .cookie("community_sign_on", GatewayClient.startSignOn("acme", "/auth/account"))
                .cookie("community_link", link).cookie("community_session", session).get("/auth/acme/return");
        assertEquals(303, back.statusCode(), back.asString());
    }

    private static Response accountPage(String session) {
        return given().redirects().follow(false).cookie("community_session", session).get("/auth/account");
    }

    private static Response chooseProof(String link, String csrf, String connector) {
        return given().redirects().follow(false).cookie("community_link", link).formParam("csrf", csrf)
                .formParam("connector", connector).post("/auth/link");
    }

    /** A sign-on through Partner started here, answered with {@code link} (and {@code session}) cookies. */
    private static Response partnerReturn(String partnerId, String email, String link, String session) {
        return partnerReturn(partnerId, email, link, session, 0);
    }

    /** {@code clockAhead}: seconds the gateway's clock was moved on (the IdP's clock moves with it). */
    private static Response partnerReturn(String partnerId, String email, String link, String session,
            long clockAhead) {
        String state = GatewayClient.startSignOn("partner", "/forum/t/42");
        Map<String, Object> data = email == null ? Map.of("id", partnerId) : Map.of("id", partnerId, "email", email);
        JwtClaims claims = TestTokens.claims(TestIdp.PARTNER_ISSUER, data);
        long now = System.currentTimeMillis() / 1000 + clockAhead;
        claims.setIssuedAt(NumericDate.fromSeconds(now));
        claims.setExpirationTime(NumericDate.fromSeconds(now + 120));
        String token = TestTokens.signRs256(claims, TestTokens.key("partner"), "partner-key-1");
        var request = given().redirects().follow(false).queryParam("token", token)
                .cookie("community_sign_on", state).cookie("community_link", link);
        if (session != null) {
            request.cookie("community_session", session);
        }
        return request.get("/auth/partner/return");
    }

    private static String csrfOf(String page) {
        String csrf = page.replaceAll("(?s).*name=\"csrf\" value=\"([^\"]+)\".*", "$1");
        assertTrue(csrf.length() < 100, "page has a csrf field");
        return csrf;
    }

    private static String partnerToken(Map<String, Object> data) {
        return TestTokens.signRs256(TestTokens.claims(TestIdp.PARTNER_ISSUER, data), TestTokens.key("partner"),
                "partner-key-1");
    }

    private static String newId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
