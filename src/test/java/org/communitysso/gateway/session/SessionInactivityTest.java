package org.communitysso.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.communitysso.gateway.testing.Db;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.MovableTimeSource;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SPEC 5: revoked after 48 h of inactivity (per-connector override), swept, and touched without a write per request. */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class SessionInactivityTest {

    @Inject
    MovableTimeSource clock;
    @Inject
    SessionService sessions;
    @Inject
    MeterRegistry meters;
    @Inject
    Db db;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    @Test
    void sessionIdlePastTheTimeoutIsRefusedAndSwept() {
        String id = "idle-" + UUID.randomUUID();
        String session = signOn(id);
        GatewayClient.check(session).then().statusCode(202);

        clock.advance(Duration.ofHours(48).plusSeconds(1));
        GatewayClient.check(session).then().statusCode(401);
        GatewayClient.session(session).then().statusCode(401);
        assertEquals(1, db.sessionsFor(id), "refused before the sweep removes it");

        sessions.sweep();
        assertEquals(0, db.sessionsFor(id));
    }

    @Test
    void aBacklogOfSeveralBatchesIsSweptInOneRun() {
        String id = "backlog-" + UUID.randomUUID();
        GatewayClient.check(signOn(id)).then().statusCode(202);
        long accountId = db.count("SELECT account_id FROM external_identities WHERE external_id = ?1", id);
        long past = clock.nowSeconds() - 200_000;
        // 1,201 expired rows: three batches of 500, with the sweeper's rests between them
        db.execute("INSERT INTO sessions (id_hash, account_id, connector_id, external_id, created_at, last_seen_at, "
                + "idle_timeout_secs, idle_expires_at) SELECT SHA2(CONCAT('" + id + "', seq), 256), " + accountId
                + ", 'acme', '" + id + "', " + past + ", " + past + ", 172800, " + (past + 172800)
                + " FROM seq_1_to_1201");
        assertEquals(1_202, db.sessionsFor(id));

        assertTrue(sessions.sweep() >= 1_201);
        assertEquals(1, db.sessionsFor(id), "every expired row is gone, the live session stays");
    }

    @Test
    void sessionUsedWithinTheTimeoutLivesOn() {
        String id = "busy-" + UUID.randomUUID();
        String session = signOn(id);
        for (int day = 0; day < 5; day++) {
            clock.advance(Duration.ofHours(47));
            GatewayClient.check(session).then().statusCode(202);
        }
        sessions.sweep();
        assertEquals(1, db.sessionsFor(id), "235 hours old, never idle for 48");
        GatewayClient.session(session).then().statusCode(200);
    }

    @Test
    void connectorOverrideShortensTheTimeout() {
        String id = "short-" + UUID.randomUUID();
        Response back = GatewayClient.returnWithToken("/auth/partner/return", TestTokens.signRs256(
                TestTokens.claims(TestIdp.PARTNER_ISSUER, Map.of("id", id, "username", "s" + id.substring(6, 16))),
                TestTokens.key("partner"), "partner-key-1"), null);
        String session = back.getCookie("community_session");
        clock.advance(Duration.ofMinutes(119));
        GatewayClient.check(session).then().statusCode(202);
        clock.advance(Duration.ofMinutes(121));
        GatewayClient.check(session).then().statusCode(401);
    }

    @Test
    void absoluteLifetimeEndsEvenABusySession() {
        String id = "abs-" + UUID.randomUUID();
        String session = signOn(id);
        // %test sets gateway.session.absolute-lifetime=30D
        for (int i = 0; i < 17; i++) {
            clock.advance(Duration.ofHours(42));
            GatewayClient.check(session).then().statusCode(202);
        }
        clock.advance(Duration.ofHours(42));
        GatewayClient.check(session).then().statusCode(401);
        sessions.sweep();
        assertEquals(0, db.sessionsFor(id));
    }

    @Test
    void checksInsideTheTouchIntervalWriteAtMostOnce() {
        String id = "touch-" + UUID.randomUUID();
        String session = signOn(id);
        sessions.flushActivity(); // what earlier tests left pending
        double before = touchWrites();
        for (int i = 0; i < 50; i++) {
            GatewayClient.check(session).then().statusCode(202);
        }
        sessions.flushActivity();
        assertEquals(before, touchWrites(), "a fresh session needs no write");

        clock.advance(Duration.ofSeconds(61));
        for (int i = 0; i < 50; i++) {
            GatewayClient.check(session).then().statusCode(202);
            GatewayClient.session(session).then().statusCode(200);
        }
        sessions.flushActivity(); // activity is written in batches, every few seconds
        assertEquals(before + 1, touchWrites(), "100 requests past the interval, one write");
        assertEquals(1, db.count("SELECT COUNT(*) FROM sessions WHERE external_id = ?1 AND last_seen_at > created_at", id));
    }

    @Test
    void revokedSessionsOfAnAccountAllEnd() {
        String id = "all-" + UUID.randomUUID();
        String first = signOn(id);
        String second = signOn(id);
        long accountId = Long.parseLong(GatewayClient.session(first).jsonPath().getString("userId"));
        assertEquals(2, sessions.revokeAll(accountId, "operator"));
        GatewayClient.check(first).then().statusCode(401);
        GatewayClient.check(second).then().statusCode(401);
    }

    @Test
    void garbageCookiesAreJustSignedOut() {
        GatewayClient.check("not-a-session").then().statusCode(401);
        GatewayClient.check("x".repeat(5000)).then().statusCode(401);
        GatewayClient.session(null).then().statusCode(401);
    }

    private double touchWrites() {
        return meters.get("gateway.session.touch.writes").counter().count();
    }

    private static String signOn(String id) {
        Response back = GatewayClient.signOnAcme(Map.of("id", id, "username", "s" + id.replace("-", "").substring(0, 20)), "/");
        assertEquals(302, back.statusCode(), back.asString());
        return back.getCookie("community_session");
    }
}
