package org.communitysso.gateway.account;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.communitysso.gateway.testing.Db;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestTokens;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/**
 * Account takeover through look-alike identifiers (issue 8, items 1-3, 7, 8),
 * against MariaDB whose database collation is utf8mb4_unicode_ci, as
 * deploy/mysql/init.sql and scripts/test create it.
 */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class LookAlikeIdentifiersTest {

    @Inject
    Db db;

    @Test
    void theTestDatabaseComparesTextAsProductionDoes() {
        assertEquals(1, db.count("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE() "
                + "AND DEFAULT_COLLATION_NAME = 'utf8mb4_unicode_ci'"), "these tests mean nothing on another collation");
    }

    @Test
    void anExternalIdDifferingOnlyInCaseAccentOrATrailingNbspIsAnotherMember() {
        String victimId = "victim-" + suffix();
        String victim = signOn(acmeToken(victimId, "v" + suffix(), null));
        String victimAccount = userId(victim);

        for (String lookAlike : List.of(victimId.toUpperCase(), victimId.replace("victim", "v\u00edctim"),
                victimId.replace("victim", "vi\u0107tim"), victimId + "\u00a0")) {
            String attacker = signOn(acmeToken(lookAlike, "a" + suffix(), null));
            GatewayClient.session(attacker).then().statusCode(200).body("externalId", equalTo(lookAlike));
            assertNotEquals(victimAccount, userId(attacker), "a look-alike id signed into the victim's account");
            assertEquals(1, db.count("SELECT COUNT(*) FROM external_identities WHERE external_id = ?1", lookAlike));
        }
        GatewayClient.session(victim).then().body("externalId", equalTo(victimId));
        assertEquals(1, db.linksFor(victimId));
    }

    @Test
    void anIdWithWhiteSpaceAtEitherEndIsRefusedNotTrimmedIntoAnother() {
        String victimId = "victim-" + suffix();
        signOn(acmeToken(victimId, "v" + suffix(), null));
        for (String padded : List.of(victimId + " ", " " + victimId)) {
            Response refused = GatewayClient.returnWithToken("/auth/acme/return",
                    acmeToken(padded, "p" + suffix(), null), null);
            refused.then().statusCode(400).body(containsString("invalid_user_data"));
            assertNull(refused.getCookie("community_session"));
        }
        assertEquals(1, db.count("SELECT COUNT(*) FROM sessions WHERE external_id = ?1", victimId));
    }

    @Test
    void tokenIdsDifferingOnlyInCaseAreDifferentTokens() {
        String jti = "jti-x-" + suffix();
        for (String id : List.of(jti, jti.replace("jti-x", "JtI-x"))) {
            JwtClaims claims = TestTokens.acmeClaims(Map.of("id", "j" + suffix(), "username", "j" + suffix()));
            claims.setJwtId(id);
            Response back = GatewayClient.returnWithToken("/auth/acme/return",
                    TestTokens.signRs256(claims, TestTokens.key("acme"), null), null);
            assertEquals(302, back.statusCode(), "jti " + id + ": " + back.asString());
        }
    }

    @Test
    void emailsThatOnlyCollateEqualBelongToDifferentMembers() {
        String s = suffix();
        String bob = signOn(acmeToken("b1-" + s, "bob" + s, "bob" + s + "@x.test"));
        String boeb = signOn(acmeToken("b2-" + s, "b\u00f6b" + s, "b\u00f6b" + s + "@x.test"));
        assertNotEquals(userId(bob), userId(boeb));
        GatewayClient.session(boeb).then().body("email", equalTo("b\u00f6b" + s + "@x.test"))
                .body("username", equalTo("b\u00f6b" + s));
    }

    @Test
    void aVerifiedLookAlikeEmailDoesNotLinkToTheAccountItImitates() {
        String s = suffix();
        String alice = signOn(vouchedToken("alice-" + s, "alice" + s, "alice" + s + "@x.test"));
        String carol = signOn(vouchedToken("carol-" + s, "carol" + s, "carol" + s + "@x.test"));

        // partner trusts its IdP's emails too: a verified alicé / carol@x.tést are other mailboxes
        String fakeAlice = signOn(partnerToken("fa-" + s, "fa" + s, "alic\u00e9" + s + "@x.test"));
        String fakeCarol = signOn(partnerToken("fc-" + s, "fc" + s, "carol" + s + "@x.t\u00e9st"));
        assertNotEquals(userId(alice), userId(fakeAlice));
        assertNotEquals(userId(carol), userId(fakeCarol));

        // the same mailbox in another case does link (ASCII local part and domain are case-insensitive)
        String sameAlice = signOn(partnerToken("sa-" + s, null, "ALICE" + s + "@X.Test"));
        assertEquals(userId(alice), userId(sameAlice));
    }

    @Test
    void anEmailTypedInTheSignUpFormNeverFindsTheAccountLater() {
        String s = suffix();
        String victimEmail = "victim" + s + "@x.test";
        // the attacker's IdP sends no email; the attacker types the victim's address in the form
        Response back = GatewayClient.returnWithToken("/auth/acme/return", acmeToken("att-" + s, null, null), null);
        String pending = back.getCookie("community_pending");
        assertNotNull(pending, back.asString());
        Response attacker = GatewayClient.submitProfile(pending, "att" + s, victimEmail);
        assertEquals(302, attacker.statusCode(), attacker.asString());
        String attackerAccount = userId(attacker.getCookie("community_session"));
        assertEquals(1, db.count("SELECT COUNT(*) FROM accounts WHERE id = ?1 AND email_verified = FALSE "
                + "AND email_source = 'member'", Long.parseLong(attackerAccount)));

        // the victim signs in through a connector that verifies emails: refused, not let into the attacker's account
        Response victim = GatewayClient.returnWithToken("/auth/vouched/return",
                vouchedToken("vic-" + s, "vic" + s, victimEmail), null);
        victim.then().statusCode(409).body(containsString("email_taken"));
        assertNull(victim.getCookie("community_session"));
        assertEquals(0, db.linksFor("vic-" + s));
        assertEquals(1, db.count("SELECT COUNT(*) FROM external_identities WHERE account_id = ?1",
                Long.parseLong(attackerAccount)));
    }

    @Test
    void anEmailFromAnIdpThatDoesNotVerifyEmailsNeverFindsTheAccountLater() {
        String s = suffix();
        String email = "owner" + s + "@x.test";
        signOn(acmeToken("un-" + s, "un" + s, email));
        Response victim = GatewayClient.returnWithToken("/auth/vouched/return",
                vouchedToken("vic-" + s, "vic" + s, email), null);
        victim.then().statusCode(409).body(containsString("email_taken"));
        assertNull(victim.getCookie("community_session"));
        assertEquals(0, db.linksFor("vic-" + s));
        assertEquals(1, db.count("SELECT COUNT(*) FROM accounts WHERE email_key = ?1 AND email_verified = FALSE "
                + "AND email_source = 'acme'", email));
    }

    @Test
    void markupInAnEmailIsRefusedFromTheIdpAndInTheForm() {
        String s = suffix();
        String xss = "\"><img/src=x/onerror=alert(1)>@x.test";
        Response fromIdp = GatewayClient.returnWithToken("/auth/acme/return", acmeToken("x-" + s, "x" + s, xss), null);
        fromIdp.then().statusCode(400).body(containsString("invalid_user_data"))
                .body(org.hamcrest.Matchers.not(containsString("<img/src")));
        assertNull(fromIdp.getCookie("community_session"));
        assertEquals(0, db.linksFor("x-" + s));

        Response back = GatewayClient.returnWithToken("/auth/acme/return", acmeToken("y-" + s, null, null), null);
        Response form = GatewayClient.submitProfileRefused(back.getCookie("community_pending"), "y" + s, xss);
        form.then().statusCode(200).body(containsString("The email address"))
                .body(org.hamcrest.Matchers.not(containsString("<img/src")));
    }

    @Test
    void reservedAndNewTopLevelDomainsAreAccepted() {
        for (String domain : List.of("x.test", "x.example", "x.invalid", "x.community")) {
            String s = suffix();
            String session = signOn(acmeToken("d-" + s, "d" + s, "m" + s + "@" + domain));
            GatewayClient.session(session).then().body("email", equalTo("m" + s + "@" + domain));
        }
    }

    @Test
    void usernamesThatRenderBlankOrSpoofAreAskedForAgain() {
        String s = suffix();
        // from the IdP: treated as absent, so the member chooses one
        Response back = GatewayClient.returnWithToken("/auth/acme/return", acmeToken("u-" + s, "\u3164", null), null);
        assertEquals(303, back.statusCode(), back.asString());
        String pending = back.getCookie("community_pending");

        for (String bad : List.of("\u3164", "\u3164\u3164\u3164", "\u0301\u0301\u0301", "a" + "\u0336".repeat(60),
                "\u202Eadmin" + s, "\u0430dmin" + s)) {
            Response refused = GatewayClient.submitProfileRefused(pending, bad, null);
            assertEquals(200, refused.statusCode(), "username " + bad.codePoints().mapToObj(Integer::toHexString).toList());
            refused.then().body(org.hamcrest.Matchers.containsString("aria-invalid=\"true\""));
        }
        assertEquals(0, db.linksFor("u-" + s));
        Response done = GatewayClient.submitProfile(pending, "u" + s, null);
        assertEquals(302, done.statusCode());
    }

    private static String acmeToken(String id, String username, String email) {
        return TestTokens.acme(data(id, username, email));
    }

    private static String partnerToken(String id, String username, String email) {
        return TestTokens.signRs256(TestTokens.claims(TestIdp.PARTNER_ISSUER, data(id, username, email)),
                TestTokens.key("partner"), "partner-key-1");
    }

    private static String vouchedToken(String id, String username, String email) {
        return TestTokens.signRs256(TestTokens.claims(TestIdp.VOUCHED_ISSUER, data(id, username, email)),
                TestTokens.key("partner"), null);
    }

    private static Map<String, Object> data(String id, String username, String email) {
        Map<String, Object> data = new java.util.HashMap<>();
        data.put("id", id);
        if (username != null) {
            data.put("username", username);
        }
        if (email != null) {
            data.put("email", email);
        }
        return data;
    }

    /** Signs on (unsolicited token) and returns the session cookie. */
    private static String signOn(String token) {
        String path = "/auth/" + connectorFor(token) + "/return";
        Response back = given().redirects().follow(false).queryParam("token", token).get(path);
        assertEquals(302, back.statusCode(), path + ": " + back.asString());
        return back.getCookie("community_session");
    }

    private static String connectorFor(String token) {
        String payload = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]),
                java.nio.charset.StandardCharsets.UTF_8);
        return payload.contains(TestIdp.VOUCHED_ISSUER) ? "vouched"
                : payload.contains(TestIdp.PARTNER_ISSUER) ? "partner" : "acme";
    }

    private static String userId(String session) {
        return GatewayClient.session(session).then().statusCode(200).extract().jsonPath().getString("userId");
    }

    private static String suffix() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }
}
