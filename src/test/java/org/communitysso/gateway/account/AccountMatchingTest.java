package org.communitysso.gateway.account;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
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

/** SPEC 4: matching, linking, provisioning, the sign-up form, profile sync and role sync, against MariaDB. */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class AccountMatchingTest {

    @Inject
    Db db;
    @Inject
    AccountService accounts;

    @Test
    void returningMemberGetsTheSameAccountWithTheProfileSynced() {
        String id = newId();
        String first = signOnAcme(Map.of("id", id, "username", name(id, "a"), "email", id + "@acme.test",
                "avatar", "https://cdn.acme.test/old.png"));
        String accountId = GatewayClient.session(first).jsonPath().getString("userId");

        String second = signOnAcme(Map.of("id", id, "username", name(id, "b"), "email", id + "@new.acme.test",
                "avatar", "https://cdn.acme.test/new.png"));
        GatewayClient.session(second).then().statusCode(200)
                .body("userId", equalTo(accountId))
                .body("username", equalTo(name(id, "b")))
                .body("email", equalTo(id + "@new.acme.test"))
                .body("avatar", equalTo("https://cdn.acme.test/new.png"));
        assertEquals(1, db.linksFor(id));
    }

    @Test
    void verifiedEmailFromATrustedConnectorLinksTheExistingAccount() {
        String id = newId();
        String email = id + "@shared.test";
        // the account's email was verified by a trusted connector (vouched), so another trusted one may find it
        Response vouched = GatewayClient.returnWithToken("/auth/vouched/return", TestTokens.signRs256(
                TestTokens.claims(TestIdp.VOUCHED_ISSUER, Map.of("id", id, "username", name(id, "t"), "email", email)),
                TestTokens.key("partner"), null), null);
        String accountId = GatewayClient.session(vouched.getCookie("community_session")).jsonPath().getString("userId");

        String partnerId = "partner-" + id;
        Response back = GatewayClient.returnWithToken("/auth/partner/return", partnerToken(Map.of("id", partnerId,
                "email", email.toUpperCase())), null);
        assertEquals(302, back.statusCode(), back.asString());
        GatewayClient.session(back.getCookie("community_session")).then()
                .body("userId", equalTo(accountId))
                .body("connector", equalTo("partner"));
        assertEquals(1, db.accountsWithEmail(email));
        assertEquals(2, db.count("SELECT COUNT(*) FROM external_identities WHERE account_id = ?1", Long.parseLong(accountId)));
    }

    @Test
    void emailOfAnotherAccountFromAnUntrustedConnectorIsTaken() {
        String id = newId();
        String email = id + "@taken.test";
        Response partner = GatewayClient.returnWithToken("/auth/partner/return",
                partnerToken(Map.of("id", id, "username", name(id, "p"), "email", email)), null);
        assertEquals(302, partner.statusCode());

        String acmeId = "acme-" + id;
        Response refused = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", acmeId, "username", name(id, "q"), "email", email)), null);
        refused.then().statusCode(409).body(containsString("email_taken"))
                .body(containsString("This email address is already taken"));
        assertNull(refused.getCookie("community_session"));
        assertEquals(0, db.linksFor(acmeId));
        assertEquals(1, db.accountsWithEmail(email));
    }

    @Test
    void memberWithoutUsernameChoosesOneInTheForm() {
        String id = newId();
        Response back = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", id, "email", id + "@acme.test", "customRoles", "4")),
                GatewayClient.startSignOn("acme", "/after-sign-up"));
        assertEquals(303, back.statusCode());
        assertTrue(back.header("Location").endsWith("/auth/profile"));
        String pending = back.getCookie("community_pending");
        assertNotNull(pending);
        assertNull(back.getCookie("community_session"));
        assertEquals(0, db.linksFor(id), "no account before the form is done");
        assertEquals(1, db.count("SELECT COUNT(*) FROM pending_sign_ons WHERE external_id = ?1", id),
                "the pending sign-on is in the database, so it survives a restart");

        given().cookie("community_pending", pending).get("/auth/profile").then().statusCode(200)
                .body(containsString("Please choose the username"))
                .body(not("name=\"email\""));

        Response done = GatewayClient.submitProfile(pending, name(id, "c"), null);
        assertEquals(302, done.statusCode(), done.asString());
        assertTrue(done.header("Location").endsWith("/after-sign-up"));
        GatewayClient.session(done.getCookie("community_session")).then()
                .body("username", equalTo(name(id, "c")))
                .body("email", equalTo(id + "@acme.test"))
                .body("customRoles", equalTo(List.of("4")));
        assertEquals(1, db.count("SELECT COUNT(*) FROM pending_sign_ons WHERE external_id = ?1 AND completed_at IS NOT NULL",
                id), "used up, kept until it expires so Back finds where the member went");

        // the form cannot be replayed: without the session it opened, refused
        given().redirects().follow(false).cookie("community_pending", pending).get("/auth/profile").then()
                .statusCode(400).body(containsString("pending_sign_on_invalid"))
                .body(containsString("return_url=%2Fafter-sign-up"));
        Response late = given().redirects().follow(false).cookie("community_pending", pending).formParam("csrf", "any")
                .formParam("username", name(id, "d")).post("/auth/profile");
        assertEquals(303, late.statusCode(), "the form's GET decides, with the cookies the browser has by then");
        assertTrue(late.header("Location").endsWith("/auth/profile"));
        assertNull(late.getCookie("community_session"));
        // Back or resubmit in the browser that is signed in: on to the target, nothing made twice
        String session = done.getCookie("community_session");
        Response back2 = given().redirects().follow(false).cookie("community_pending", pending)
                .cookie("community_session", session).get("/auth/profile");
        assertEquals(303, back2.statusCode());
        assertTrue(back2.header("Location").endsWith("/after-sign-up"));
        Response resubmit = given().redirects().follow(false).cookie("community_pending", pending)
                .cookie("community_session", session).formParam("csrf", "whatever").formParam("username", name(id, "e"))
                .post("/auth/profile");
        assertEquals(303, resubmit.statusCode());
        assertTrue(resubmit.header("Location").endsWith("/after-sign-up"));
        GatewayClient.session(session).then().body("username", equalTo(name(id, "c")));
        assertEquals(1, db.linksFor(id));
    }

    @Test
    void takenUsernameShowsTheFormAgainWithTheReason() {
        String owner = newId();
        String taken = name(owner, "o");
        signOnAcme(Map.of("id", owner, "username", taken));

        String id = newId();
        Response back = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", id, "username", taken.toUpperCase())), null);
        assertEquals(303, back.statusCode());
        String pending = back.getCookie("community_pending");
        given().cookie("community_pending", pending).get("/auth/profile").then().statusCode(200)
                .body(containsString("already taken"));

        Response again = GatewayClient.submitProfileRefused(pending, taken, null);
        again.then().statusCode(200).body(containsString("already taken"))
                .body(containsString("aria-invalid=\"true\""));

        Response invalid = GatewayClient.submitProfileRefused(pending, "<script>", null);
        invalid.then().statusCode(200).body(containsString("may hold letters"))
                .body(containsString("value=\"&lt;script&gt;\"")) // the value is kept, escaped
                .body(not("<script>"));

        Response done = GatewayClient.submitProfile(pending, name(id, "n"), null);
        assertEquals(302, done.statusCode());
        assertEquals(1, db.linksFor(id));
    }

    @Test
    void usernameTheCommunityCannotTakeIsChosenInTheFormInstead() {
        String id = newId();
        Response back = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", id, "username", "<b>bob</b>")), null);
        assertEquals(303, back.statusCode(), back.asString());
        String pending = back.getCookie("community_pending");
        given().cookie("community_pending", pending).get("/auth/profile").then().statusCode(200)
                .body(containsString("The username your sign-in method gave cannot be used here"))
                .body(containsString("may hold letters"))
                .body(not("<b>bob</b>"));
        assertEquals(302, GatewayClient.submitProfile(pending, name(id, "k"), null).statusCode());

        // a returning member whose IdP now sends an unusable username keeps the one they have
        String later = signOnAcme(Map.of("id", id, "username", "x"));
        GatewayClient.session(later).then().body("username", equalTo(name(id, "k")));
    }

    @Test
    void apostrophesAndAccentsAreUsernames() {
        String id = newId();
        String username = "Siobh\u00e1n O'Brien " + id.substring(0, 6);
        String session = signOnAcme(Map.of("id", id, "username", username));
        GatewayClient.session(session).then().body("username", equalTo(username));
    }

    @Test
    void signUpFormRefusesAForgedCsrfToken() {
        String id = newId();
        Response back = GatewayClient.returnWithToken("/auth/acme/return", TestTokens.acme(Map.of("id", id)), null);
        String pending = back.getCookie("community_pending");
        given().redirects().follow(false).cookie("community_pending", pending)
                .contentType("application/x-www-form-urlencoded")
                .formParam("csrf", "forged").formParam("username", name(id, "x"))
                .post("/auth/profile")
                .then().statusCode(403).body(containsString("csrf_invalid"));
        assertEquals(0, db.linksFor(id));
    }

    @Test
    void emailTypedInTheFormNeverLinksAnExistingAccount() {
        String owner = newId();
        String email = owner + "@victim.test";
        signOnAcme(Map.of("id", owner, "username", name(owner, "v"), "email", email));

        // partner trusts its IdP's emails, but this email is typed by the member
        String id = newId();
        Response back = GatewayClient.returnWithToken("/auth/partner/return", partnerToken(Map.of("id", id)), null);
        String pending = back.getCookie("community_pending");
        given().cookie("community_pending", pending).get("/auth/profile").then().body(containsString("name=\"email\""));
        Response attempt = GatewayClient.submitProfileRefused(pending, name(id, "w"), email);
        attempt.then().statusCode(200).body(containsString("already taken"));
        assertEquals(0, db.linksFor(id));

        Response done = GatewayClient.submitProfile(pending, name(id, "w"), id + "@own.test");
        assertEquals(302, done.statusCode());
        GatewayClient.session(done.getCookie("community_session")).then().body("email", equalTo(id + "@own.test"));
    }

    @Test
    void concurrentFirstSignOnsMakeExactlyOneAccount() throws Exception {
        String id = newId();
        String username = name(id, "r");
        int members = 20;
        ExecutorService pool = Executors.newFixedThreadPool(members);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Response>> results = new ArrayList<>();
        try {
            for (int i = 0; i < members; i++) {
                String token = TestTokens.acme(Map.of("id", id, "username", username, "email", id + "@race.test"));
                results.add(pool.submit(() -> {
                    start.await();
                    return GatewayClient.returnWithToken("/auth/acme/return", token, null);
                }));
            }
            start.countDown();
            List<String> accountIds = new ArrayList<>();
            for (Future<Response> result : results) {
                Response response = result.get();
                assertEquals(302, response.statusCode(), response.asString());
                accountIds.add(GatewayClient.session(response.getCookie("community_session")).jsonPath().getString("userId"));
            }
            assertEquals(1, accountIds.stream().distinct().count(), "every sign-on landed in the same account");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, db.accountsWithUsername(username));
        assertEquals(1, db.linksFor(id));
        assertEquals(members, db.sessionsFor(id));
    }

    @Test
    void idpRolesAreReplacedAndCommunityRolesKept() {
        String id = newId();
        String session = signOnAcme(Map.of("id", id, "username", name(id, "r"), "customRoles", "1, 2, 3"));
        GatewayClient.session(session).then().body("customRoles", equalTo(List.of("1", "2", "3")));
        long accountId = Long.parseLong(GatewayClient.session(session).jsonPath().getString("userId"));
        accounts.grantCommunityRole(accountId, "99");
        accounts.grantCommunityRole(accountId, "2");

        String later = signOnAcme(Map.of("id", id, "customRoles", "2"));
        GatewayClient.session(later).then().body("customRoles", equalTo(List.of("2", "99")));
        assertEquals(1, db.count("SELECT COUNT(*) FROM role_grants WHERE account_id = ?1 AND source = 'idp'", accountId));
        assertEquals(2, db.count("SELECT COUNT(*) FROM role_grants WHERE account_id = ?1 AND source = 'community'",
                accountId));

        // a token that says nothing about roles leaves them alone; an empty customRoles clears the IdP's
        String silent = signOnAcme(Map.of("id", id));
        GatewayClient.session(silent).then().body("customRoles", equalTo(List.of("2", "99")));
        String cleared = signOnAcme(Map.of("id", id, "customRoles", ""));
        GatewayClient.session(cleared).then().body("customRoles", equalTo(List.of("2", "99")));
        assertEquals(0, db.count("SELECT COUNT(*) FROM role_grants WHERE account_id = ?1 AND source = 'idp'", accountId));
    }

    @Test
    void mappingReadsNestedClaimsAndMapsGroupsToRoles() {
        String id = newId();
        Map<String, Object> claims = new HashMap<>();
        claims.put("sub", id);
        claims.put("profile", Map.of("nick", name(id, "m"), "mail", id + "@mapped.test"));
        claims.put("groups", List.of("moderators", "staff", "unmapped"));
        String token = TestTokens.signRs256(TestTokens.claims("https://any.test", claims), TestTokens.key("acme"), null);
        Response back = GatewayClient.returnWithToken("/auth/mapped/return", token, null);
        assertEquals(302, back.statusCode(), back.asString());
        GatewayClient.session(back.getCookie("community_session")).then()
                .body("externalId", equalTo(id))
                .body("username", equalTo(name(id, "m")))
                .body("email", equalTo(id + "@mapped.test"))
                .body("customRoles", equalTo(List.of("10", "11", "12")));
    }

    @Test
    void badUserDataGivesAPageNamingTheFieldAndCreatesNothing() {
        String id = newId();
        Response response = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", id, "username", name(id, "e"), "email", "not-an-email")), null);
        response.then().statusCode(400).body(containsString("invalid_user_data"))
                .body(containsString("The field &#39;email&#39; is not an email address."));
        assertEquals(0, db.linksFor(id));

        Response avatar = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", id, "username", name(id, "e"), "avatar", "javascript:alert(1)")), null);
        avatar.then().statusCode(400).body(containsString("avatar"));
        Response roles = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.acme(Map.of("id", id, "username", name(id, "e"), "customRoles", "1, <b>")), null);
        roles.then().statusCode(400).body(containsString("invalid_user_data"));
        assertEquals(0, db.linksFor(id));
    }

    private static String signOnAcme(Map<String, Object> data) {
        Response back = GatewayClient.signOnAcme(data, "/");
        assertEquals(302, back.statusCode(), back.asString());
        return back.getCookie("community_session");
    }

    private static String partnerToken(Map<String, Object> data) {
        return TestTokens.signRs256(TestTokens.claims(TestIdp.PARTNER_ISSUER, data), TestTokens.key("partner"),
                "partner-key-1");
    }

    private static String newId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    private static String name(String id, String suffix) {
        return "m" + id.substring(0, 10) + suffix;
    }

    private static org.hamcrest.Matcher<String> not(String text) {
        return org.hamcrest.Matchers.not(containsString(text));
    }
}
