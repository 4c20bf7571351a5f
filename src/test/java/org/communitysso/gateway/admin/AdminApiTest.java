package org.communitysso.gateway.admin;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.communitysso.gateway.account.AccountOperations;
import org.communitysso.gateway.testing.Db;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestTokens;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/**
 * The admin API as an operator uses it: bearer tokens from the operators' IdP (TestIdp's
 * WireMock serves its discovery and JWKS; the test signs tokens with its key) or an API key.
 */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class AdminApiTest {

    static final String API_KEY = "test-admin-api-key";

    @Inject
    Db db;
    @Inject
    AccountOperations accounts;
    @Inject
    org.communitysso.gateway.audit.AuditTrail trail;

    // ---- credentials ---------------------------------------------------------------------------

    static String issuer() {
        return ConfigProvider.getConfig().getValue("test.admin.issuer", String.class);
    }

    static String token(String subject, List<String> roles) {
        JwtClaims claims = TestTokens.claims(issuer(), Map.of("sub", subject, "realm_access", Map.of("roles", roles)));
        return TestTokens.signRs256(claims, TestTokens.key("admin"), TestIdp.ADMIN_KID);
    }

    static RequestSpecification admin(String subject) {
        return given().redirects().follow(false).header("Authorization", "Bearer " + token(subject,
                List.of("gateway-admin", "other")));
    }

    static RequestSpecification apiKey() {
        return given().redirects().follow(false).header("Authorization", "ApiKey " + API_KEY);
    }

    @Test
    void withoutCredentialsEveryRouteIs401InJson() {
        for (String[] route : new String[][] {{"GET", "/admin/api/connectors"}, {"GET", "/admin/api/members?email=a@b.c"},
                {"GET", "/admin/api/members/1"}, {"DELETE", "/admin/api/members/1/sessions"},
                {"POST", "/admin/api/members/1/deactivate"}, {"POST", "/admin/api/members/1/reactivate"},
                {"DELETE", "/admin/api/members/1/links/acme"}, {"PUT", "/admin/api/members/1/community-roles"},
                {"GET", "/admin/api/audit"}, {"POST", "/admin/api/connectors/acme/reapply-role-mapping"},
                {"POST", "/admin/api/connectors/acme/test"}}) {
            given().contentType("application/json").body("{}").request(route[0], route[1]).then()
                    .statusCode(401).body("error", equalTo("unauthenticated")).body("message", not(equalTo(null)));
        }
    }

    @Test
    void forgedExpiredForeignOrWrongKeyCredentialsAre401() {
        JwtClaims expired = TestTokens.claims(issuer(), Map.of("sub", "ops-kim",
                "realm_access", Map.of("roles", List.of("gateway-admin"))));
        expired.setExpirationTimeMinutesInTheFuture(-10);
        JwtClaims foreign = TestTokens.claims("https://other-idp.test", Map.of("sub", "ops-kim",
                "realm_access", Map.of("roles", List.of("gateway-admin"))));
        JwtClaims good = TestTokens.claims(issuer(), Map.of("sub", "ops-kim",
                "realm_access", Map.of("roles", List.of("gateway-admin"))));
        List<String> refused = List.of(
                "Bearer " + TestTokens.signRs256(good, TestTokens.key("rogue"), TestIdp.ADMIN_KID), // forged
                "Bearer " + TestTokens.signRs256(expired, TestTokens.key("admin"), TestIdp.ADMIN_KID),
                "Bearer " + TestTokens.signRs256(foreign, TestTokens.key("admin"), TestIdp.ADMIN_KID),
                "Bearer " + TestTokens.unsigned(good),
                "Bearer not-a-token",
                "ApiKey wrong-key",
                "ApiKey " + API_KEY + "x",
                "ApiKey ",
                "Basic " + java.util.Base64.getEncoder().encodeToString("admin:admin".getBytes()));
        for (String authorization : refused) {
            given().header("Authorization", authorization).get("/admin/api/connectors").then()
                    .statusCode(401).body("error", equalTo("unauthenticated"));
        }
    }

    @Test
    void aTokenWithoutTheAdminRoleIs403() {
        given().header("Authorization", "Bearer " + token("ops-viewer", List.of("viewer", "gateway-admins")))
                .get("/admin/api/connectors").then().statusCode(403).body("error", equalTo("forbidden"));
        // the role in another claim than the configured one does not count
        JwtClaims elsewhere = TestTokens.claims(issuer(), Map.of("sub", "ops-x", "roles", List.of("gateway-admin")));
        given().header("Authorization", "Bearer " + TestTokens.signRs256(elsewhere, TestTokens.key("admin"),
                TestIdp.ADMIN_KID)).get("/admin/api/connectors").then().statusCode(403);
    }

    @Test
    void aBearerTokenAndAnApiKeyBothWork() {
        admin("ops-kim").get("/admin/api/connectors").then().statusCode(200).body("id", hasItem("acme"));
        apiKey().get("/admin/api/connectors").then().statusCode(200).body("id", hasItem("corp"));
    }

    @Test
    void anAdminHeaderOnMemberRoutesChangesNothing() {
        // a stray bearer token (a proxy forwarding one) must not make /auth/* answer 401
        given().header("Authorization", "Bearer not-a-token").redirects().follow(false)
                .get("/auth/login").then().statusCode(200);
    }

    // ---- members -------------------------------------------------------------------------------

    /** A new member signed on through acme; returns its id and session cookie. */
    record Member(long id, String externalId, String username, String email, String session) {
    }

    static Member signOn(String connectorHint) {
        String externalId = "adm-" + UUID.randomUUID();
        String username = "adm" + externalId.substring(4, 12);
        String email = externalId + "@acme.test";
        Response back = GatewayClient.signOnAcme(Map.of("id", externalId, "username", username, "email", email,
                "customRoles", "idp-1"), "/");
        assertEquals(302, back.statusCode(), back.asString());
        String session = back.getCookie("community_session");
        long id = Long.parseLong(GatewayClient.session(session).jsonPath().getString("userId"));
        return new Member(id, externalId, username, email, session);
    }

    @Test
    void findAMemberAndSeeTheirRecordLinksRolesAndSessions() {
        Member kim = signOn("acme");
        admin("ops-kim").queryParam("email", kim.email().toUpperCase()).get("/admin/api/members").then()
                .statusCode(200).body("total", equalTo(1)).body("items[0].id", equalTo((int) kim.id()));
        admin("ops-kim").queryParam("username", kim.username().substring(0, 7)).get("/admin/api/members").then()
                .statusCode(200).body("items.id", hasItem((int) kim.id()));
        admin("ops-kim").queryParam("connector", "acme").queryParam("externalId", kim.externalId())
                .get("/admin/api/members").then().statusCode(200).body("items[0].username", equalTo(kim.username()));
        // ids are compared exactly: another case is another IdP user
        admin("ops-kim").queryParam("connector", "acme").queryParam("externalId", kim.externalId().toUpperCase())
                .get("/admin/api/members").then().statusCode(200).body("total", equalTo(0));
        // a username search cannot be widened with LIKE wildcards
        admin("ops-kim").queryParam("username", "%").get("/admin/api/members").then().statusCode(200)
                .body("total", equalTo(0));
        admin("ops-kim").get("/admin/api/members").then().statusCode(422).body("error", equalTo("invalid_input"));

        JsonPath member = admin("ops-kim").get("/admin/api/members/" + kim.id()).then().statusCode(200)
                .extract().jsonPath();
        assertEquals(kim.username(), member.getString("username"));
        assertEquals("acme", member.getString("links[0].connector"));
        assertEquals(kim.externalId(), member.getString("links[0].externalId"));
        assertEquals(List.of("idp-1"), member.getList("idpRoles"));
        assertEquals(List.of(), member.getList("communityRoles"));
        assertEquals(1, member.getList("sessions").size());
        assertEquals("acme", member.getString("sessions[0].connectorId"));
        String body = admin("ops-kim").get("/admin/api/members/" + kim.id()).asString();
        assertFalse(body.contains(kim.session()), "never a session id");
        assertFalse(body.contains(org.communitysso.gateway.Secrets.sha256Hex(kim.session())), "nor its hash");

        admin("ops-kim").get("/admin/api/members/999999999").then().statusCode(404)
                .body("error", equalTo("member_not_found"));
        admin("ops-kim").get("/admin/api/members/abc").then().statusCode(404);
    }

    @Test
    void revokingSessionsEndsThemAtOnce() {
        Member kim = signOn("acme");
        GatewayClient.check(kim.session()).then().statusCode(202);
        apiKey().delete("/admin/api/members/" + kim.id() + "/sessions").then().statusCode(200)
                .body("revoked", equalTo(1));
        GatewayClient.check(kim.session()).then().statusCode(401);
        apiKey().delete("/admin/api/members/" + kim.id() + "/sessions").then().statusCode(200)
                .body("revoked", equalTo(0));
    }

    @Test
    void aDeactivatedMemberLosesTheirSessionsAndCannotSignOnUntilReactivated() {
        Member kim = signOn("acme");
        admin("ops-kim").post("/admin/api/members/" + kim.id() + "/deactivate").then().statusCode(200)
                .body("active", equalTo(false)).body("revoked", equalTo(1));
        GatewayClient.check(kim.session()).then().statusCode(401);
        GatewayClient.session(kim.session()).then().statusCode(401);

        Response refused = GatewayClient.signOnAcme(Map.of("id", kim.externalId(), "username", kim.username()), "/");
        assertEquals(403, refused.statusCode());
        assertTrue(refused.asString().contains("account_disabled"), refused.asString());
        assertNull(refused.getCookie("community_session"));
        assertEquals(0, db.sessionsFor(kim.externalId()));
        admin("ops-kim").get("/admin/api/members/" + kim.id()).then().body("active", equalTo(false))
                .body("deactivatedAt", not(equalTo(null)));

        admin("ops-kim").post("/admin/api/members/" + kim.id() + "/reactivate").then().statusCode(200)
                .body("active", equalTo(true));
        Response back = GatewayClient.signOnAcme(Map.of("id", kim.externalId(), "username", kim.username()), "/");
        assertEquals(302, back.statusCode(), back.asString());
        GatewayClient.check(back.getCookie("community_session")).then().statusCode(202);
    }

    /** Sign-ons in flight while the operator deactivates: none may leave a session behind. */
    @Test
    void signOnsRacingADeactivationLeaveNoSession() throws Exception {
        Member kim = signOn("acme");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Integer>> inFlight = new java.util.ArrayList<>();
            for (int i = 0; i < 12; i++) {
                inFlight.add(pool.submit(() -> GatewayClient.signOnAcme(Map.of("id", kim.externalId()), "/")
                        .statusCode()));
            }
            admin("ops-kim").post("/admin/api/members/" + kim.id() + "/deactivate").then().statusCode(200);
            for (var signOn : inFlight) {
                int status = signOn.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertTrue(status == 302 || status == 403, "signed on or refused: " + status);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, db.sessionsFor(kim.externalId()), "a deactivated member keeps no session");
        Response after = GatewayClient.signOnAcme(Map.of("id", kim.externalId()), "/");
        assertEquals(403, after.statusCode());
    }

    @Test
    void theLastLinkIsKeptUnlessForcedAndUnlinkingEndsItsSessions() {
        Member kim = signOn("acme");
        admin("ops-kim").delete("/admin/api/members/" + kim.id() + "/links/acme").then().statusCode(409)
                .body("error", equalTo("last_sign_in_method"));
        assertEquals(1, db.linksFor(kim.externalId()));
        admin("ops-kim").delete("/admin/api/members/" + kim.id() + "/links/github").then().statusCode(404)
                .body("error", equalTo("link_not_found"));

        // a member with two sign-in methods, linked by an email both IdPs verify (partner, vouched)
        String partnerId = "p-" + UUID.randomUUID();
        String state = GatewayClient.startSignOn("partner", "/");
        Response partner = GatewayClient.returnWithToken("/auth/partner/return", TestTokens.signRs256(
                TestTokens.claims(TestIdp.PARTNER_ISSUER, Map.of("id", partnerId, "username", "pa" + partnerId.substring(2, 10),
                        "email", partnerId + "@partner.test")), TestTokens.key("partner"), "partner-key-1"), state);
        assertEquals(302, partner.statusCode(), partner.asString());
        String partnerSession = partner.getCookie("community_session");
        long partnerAccount = Long.parseLong(GatewayClient.session(partnerSession).jsonPath().getString("userId"));
        Response linked = GatewayClient.returnWithToken("/auth/vouched/return", TestTokens.signRs256(
                TestTokens.claims(TestIdp.VOUCHED_ISSUER, Map.of("id", "v-" + partnerId, "email",
                        partnerId + "@partner.test")), TestTokens.key("partner"), null),
                GatewayClient.startSignOn("vouched", "/"));
        assertEquals(302, linked.statusCode(), linked.asString());
        String acmeSession = linked.getCookie("community_session");
        assertEquals(String.valueOf(partnerAccount), GatewayClient.session(acmeSession).jsonPath().getString("userId"));

        admin("ops-kim").delete("/admin/api/members/" + partnerAccount + "/links/vouched").then().statusCode(200)
                .body("unlinked", equalTo("vouched")).body("revoked", equalTo(1));
        GatewayClient.check(acmeSession).then().statusCode(401);
        GatewayClient.check(partnerSession).then().statusCode(202);
        assertEquals(0, db.linksFor("v-" + partnerId));
        assertEquals(1, db.linksFor(partnerId));

        // forced: the member's last link goes, and with it their sessions
        admin("ops-kim").queryParam("force", "true").delete("/admin/api/members/" + kim.id() + "/links/acme").then()
                .statusCode(200).body("revoked", equalTo(1));
        GatewayClient.check(kim.session()).then().statusCode(401);
        assertEquals(0, db.linksFor(kim.externalId()));
    }

    @Test
    void communityRolesAreSetWithoutTouchingIdpManagedOnes() {
        Member kim = signOn("acme");
        admin("ops-kim").contentType("application/json").body("{\"roles\":[\"moderator\",\"trusted\"]}")
                .put("/admin/api/members/" + kim.id() + "/community-roles").then().statusCode(200)
                .body("communityRoles", equalTo(List.of("moderator", "trusted")));
        JsonPath session = GatewayClient.session(kim.session()).jsonPath();
        assertEquals(List.of("idp-1", "moderator", "trusted"), session.getList("customRoles"));

        admin("ops-kim").contentType("application/json").body("{\"roles\":[\"trusted\"]}")
                .put("/admin/api/members/" + kim.id() + "/community-roles").then().statusCode(200);
        assertEquals(List.of("idp-1", "trusted"), GatewayClient.session(kim.session()).jsonPath().getList("customRoles"));

        // the next sign-on replaces IdP roles only
        Response again = GatewayClient.signOnAcme(Map.of("id", kim.externalId(), "customRoles", "idp-2"), "/");
        assertEquals(List.of("idp-2", "trusted"),
                GatewayClient.session(again.getCookie("community_session")).jsonPath().getList("customRoles"));

        admin("ops-kim").contentType("application/json").body("{\"roles\":[\"bad role!\"]}")
                .put("/admin/api/members/" + kim.id() + "/community-roles").then().statusCode(422)
                .body("error", equalTo("invalid_input"));
        admin("ops-kim").contentType("application/json").body("{}")
                .put("/admin/api/members/" + kim.id() + "/community-roles").then().statusCode(422);
        admin("ops-kim").contentType("application/json").body("{\"roles\":[]}")
                .put("/admin/api/members/999999999/community-roles").then().statusCode(404);
        assertEquals(List.of("idp-2", "trusted"),
                GatewayClient.session(again.getCookie("community_session")).jsonPath().getList("customRoles"));
    }

    // ---- role-mapping re-application ---------------------------------------------------------

    /** A member of the mapped connector (groups moderators → 10, 11; staff → 12). */
    Member signOnMapped(List<String> groups) {
        String externalId = "map-" + UUID.randomUUID();
        String state = GatewayClient.startSignOn("mapped", "/");
        Response back = GatewayClient.returnWithToken("/auth/mapped/return", TestTokens.signRs256(
                TestTokens.claims(TestIdp.ACME_ISSUER, Map.of("sub", externalId, "groups", groups,
                        "profile", Map.of("nick", "mp" + externalId.substring(4, 12)))), TestTokens.key("acme"), null),
                state);
        assertEquals(302, back.statusCode(), back.asString());
        String session = back.getCookie("community_session");
        return new Member(Long.parseLong(GatewayClient.session(session).jsonPath().getString("userId")), externalId,
                null, null, session);
    }

    @Test
    void aChangedRoleMappingIsAppliedWithoutASignOn() {
        Member kim = signOnMapped(List.of("moderators", "readers"));
        assertEquals(List.of("10", "11"), GatewayClient.session(kim.session()).jsonPath().getList("customRoles"));

        // start-up with another mapping: readers now grant 30, moderators only 10
        int changed = accounts.reapplyIfChanged("mapped", Map.of("moderators", List.of("10"), "readers", List.of("30")));
        assertTrue(changed >= 1, "changed " + changed);
        assertEquals(List.of("10", "30"), GatewayClient.session(kim.session()).jsonPath().getList("customRoles"));
        assertEquals(-1, accounts.reapplyIfChanged("mapped", Map.of("readers", List.of("30"), "moderators",
                List.of("10"))), "the same mapping (in another order) is not applied again");

        // the operator re-applies the configured mapping
        admin("ops-kim").post("/admin/api/connectors/mapped/reapply-role-mapping").then().statusCode(200)
                .body("changed", org.hamcrest.Matchers.greaterThanOrEqualTo(1));
        assertEquals(List.of("10", "11"), GatewayClient.session(kim.session()).jsonPath().getList("customRoles"));
        admin("ops-kim").post("/admin/api/connectors/nope/reapply-role-mapping").then().statusCode(404);
        // community roles are left alone
        accounts.setCommunityRoles(kim.id(), List.of("vip"));
        accounts.reapplyRoleMapping("mapped", Map.of("moderators", List.of()));
        assertEquals(List.of("vip"), GatewayClient.session(kim.session()).jsonPath().getList("customRoles"),
                "a mapping that grants nothing takes the mapped roles away, not the community's");
        accounts.reapplyRoleMapping("mapped", Map.of("moderators", List.of("10", "11"), "staff", List.of("12")));
    }

    // ---- audit ---------------------------------------------------------------------------------

    @Test
    void everyAdminCallIsAuditedNamingTheOperator() {
        Member kim = signOn("acme");
        long since = System.currentTimeMillis() / 1000 - 1;
        admin("ops-audit-" + kim.id()).post("/admin/api/members/" + kim.id() + "/deactivate").then().statusCode(200);
        apiKey().post("/admin/api/members/" + kim.id() + "/reactivate").then().statusCode(200);
        given().get("/admin/api/members/" + kim.id()).then().statusCode(401);
        given().header("Authorization", "Bearer " + token("ops-viewer-" + kim.id(), List.of("viewer")))
                .get("/admin/api/members/" + kim.id()).then().statusCode(403);

        List<Map<String, Object>> list = List.of();
        for (int attempt = 0; attempt < 50; attempt++) { // refusals before dispatch are stored off the event loop
            list = admin("ops-reader").queryParam("member", kim.id()).queryParam("since", since)
                    .get("/admin/api/audit").then().statusCode(200).extract().jsonPath().getList("$");
            if (list.stream().filter(e -> "admin_call".equals(e.get("event"))).count() >= 2) {
                break;
            }
            sleep();
        }
        assertTrue(list.stream().anyMatch(e -> "admin_deactivate".equals(e.get("event"))
                && ("ops-audit-" + kim.id()).equals(e.get("operator"))), list.toString());
        String keyOperator = "api-key:" + org.communitysso.gateway.Secrets.sha256Hex(API_KEY).substring(0, 12);
        assertTrue(list.stream().anyMatch(e -> "admin_reactivate".equals(e.get("event"))
                && keyOperator.equals(e.get("operator"))), list.toString());
        assertTrue(list.stream().anyMatch(e -> "session_revoked".equals(e.get("event"))
                && "deactivated".equals(e.get("reason"))), list.toString());
        assertTrue(list.stream().anyMatch(e -> "admin_call".equals(e.get("event")) && "-".equals(e.get("operator"))
                && "401".equals(e.get("reason"))), "the refused call too: " + list);
        assertTrue(list.stream().anyMatch(e -> "admin_call".equals(e.get("event"))
                && ("ops-viewer-" + kim.id()).equals(e.get("operator")) && "403".equals(e.get("reason"))),
                "a call without the role names who made it: " + list);

        // the query itself is audited, and reads never show tokens
        JsonPath reads = admin("ops-reader").queryParam("connector", "acme").queryParam("limit", 500)
                .get("/admin/api/audit").then().statusCode(200).extract().jsonPath();
        assertTrue(reads.getList("event").contains("sign_on"));
        admin("ops-reader").queryParam("since", "yesterday").get("/admin/api/audit").then().statusCode(422);
        trail.flush(); // events are written in batches, off the request
        assertTrue(db.count("SELECT COUNT(*) FROM audit_events WHERE operator = 'ops-reader' AND event = 'admin_call'")
                >= 2);
        assertEquals(1, db.count("SELECT COUNT(*) FROM audit_events WHERE operator = ?1 AND reason = '403'",
                "ops-viewer-" + kim.id()), "one event per refused call");
    }

    @Test
    void auditEventsAreKeptForTheRetentionOnly() {
        signOn("acme");
        trail.flush();
        long old = System.currentTimeMillis() / 1000 - java.time.Duration.ofDays(91).toSeconds();
        db.execute("INSERT INTO audit_events (at, event, outcome) VALUES (" + old + ", 'old_event', 'success')");
        long recent = db.count("SELECT COUNT(*) FROM audit_events WHERE at > ?1", old + 86400);
        assertTrue(trail.purge() >= 1);
        assertEquals(0, db.count("SELECT COUNT(*) FROM audit_events WHERE event = 'old_event'"));
        assertTrue(db.count("SELECT COUNT(*) FROM audit_events WHERE at > ?1", old + 86400) >= recent,
                "recent events stay");
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- connectors ----------------------------------------------------------------------------

    @Test
    void connectorsShowStatusRecentSignOnsAndTheirLastError() {
        signOn("acme");
        GatewayClient.returnWithToken("/auth/acme/return", "not.a.token", GatewayClient.startSignOn("acme", "/"));
        JsonPath connectors = admin("ops-kim").get("/admin/api/connectors").then().statusCode(200).extract().jsonPath();
        Map<String, Object> acme = connectors.getMap("find { it.id == 'acme' }");
        assertEquals("jwt", acme.get("type"));
        assertEquals("Sign in with Acme", acme.get("label"));
        assertEquals(true, acme.get("enabled"));
        assertEquals(false, acme.get("testing"));
        assertTrue(((Number) ((Map<?, ?>) acme.get("signOnsLastHour")).get("success")).intValue() >= 1, acme.toString());
        assertTrue(((Number) ((Map<?, ?>) acme.get("signOnsLastHour")).get("failure")).intValue() >= 1, acme.toString());
        assertEquals("token_malformed", ((Map<?, ?>) acme.get("lastError")).get("reason"));
        assertTrue(List.of("ok", "degraded").contains(acme.get("status")), acme.toString());

        Map<String, Object> down = connectors.getMap("find { it.id == 'oidc-down' }");
        assertEquals("failing", down.get("status"), down.toString());
        assertEquals("failing", down.get("idp"));
        Map<String, Object> corp = connectors.getMap("find { it.id == 'corp' }");
        assertTrue(String.valueOf(corp.get("spMetadataUrl")).endsWith("/auth/corp/saml/metadata"), corp.toString());
        Map<String, Object> retired = connectors.getMap("find { it.id == 'retired' }");
        assertEquals(false, retired.get("enabled"));
    }

    // ---- connector test ------------------------------------------------------------------------

    @Test
    void aTestLinkRunsARealSignOnAndShowsItWithoutProvisioningAnything() {
        String link = admin("ops-tester").post("/admin/api/connectors/acme/test").then().statusCode(200)
                .extract().jsonPath().getString("url");
        assertTrue(link.contains("/auth/acme/test?ticket="), link);
        String path = link.substring(link.indexOf("/auth/"));
        Response start = given().redirects().follow(false).get(path);
        assertEquals(302, start.statusCode(), start.asString());
        assertTrue(start.header("Location").startsWith(TestIdp.ACME_ISSUER + "/sso"));
        String state = start.getCookie("community_sign_on");

        String externalId = "tst-" + UUID.randomUUID();
        String username = "tst" + externalId.substring(4, 12);
        Response report = GatewayClient.returnWithToken("/auth/acme/return", TestTokens.acme(Map.of("id", externalId,
                "username", username, "customRoles", "7, 8", "access_token", "secret-access-token-value")), state);
        assertEquals(200, report.statusCode(), report.asString());
        String html = report.asString();
        assertTrue(html.contains("accepted"), html);
        assertTrue(html.contains(externalId) && html.contains(username), html);
        assertTrue(html.contains("7, 8"), html);
        assertTrue(html.contains("[redacted]") && !html.contains("secret-access-token-value"), html);
        assertNull(report.getCookie("community_session"), "no session in test mode");
        assertEquals(0, db.accountsWithUsername(username), "nothing provisioned");
        assertEquals(0, db.linksFor(externalId), "nothing linked");

        // single use, and only with a ticket
        given().redirects().follow(false).get(path).then().statusCode(403)
                .body(containsString("test_ticket_invalid"));
        given().redirects().follow(false).get("/auth/acme/test").then().statusCode(403);
        given().redirects().follow(false).get("/auth/acme/test?ticket=forged").then().statusCode(403);
        // a ticket for one connector does not open another
        String other = admin("ops-tester").post("/admin/api/connectors/acme/test").then().extract().jsonPath()
                .getString("url");
        given().redirects().follow(false).get("/auth/partner/test" + other.substring(other.indexOf('?')))
                .then().statusCode(403);
    }

    @Test
    void aTestRunShowsARefusalWithItsReason() {
        String link = apiKey().post("/admin/api/connectors/acme/test").then().statusCode(200).extract().jsonPath()
                .getString("url");
        Response start = given().redirects().follow(false).get(link.substring(link.indexOf("/auth/")));
        JwtClaims claims = TestTokens.acmeClaims(Map.of("id", "tst-x"));
        Response report = GatewayClient.returnWithToken("/auth/acme/return",
                TestTokens.signRs256(claims, TestTokens.key("rogue"), null), start.getCookie("community_sign_on"));
        assertEquals(200, report.statusCode());
        assertTrue(report.asString().contains("refused") && report.asString().contains("signature_invalid"),
                report.asString());
        assertNotNull(report.asString());
    }
}
