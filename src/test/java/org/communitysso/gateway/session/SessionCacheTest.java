package org.communitysso.gateway.session;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.Header;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.account.AccountService;
import org.communitysso.gateway.testing.Db;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.MovableTimeSource;
import org.communitysso.gateway.testing.TestIdp;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: checks of a cached session answer without the database, exactly
 * as the database path does; whatever changes an answer reaches the cache at
 * once here and through the session feed from other instances; activity seen
 * only in the cache still slides the 48 h.
 */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class SessionCacheTest {

    @Inject
    MovableTimeSource clock;
    @Inject
    SessionService sessions;
    @Inject
    SessionFeed feed;
    @Inject
    AccountService accounts;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    MeterRegistry meters;
    @Inject
    Db db;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    @Test
    void cachedAnswersAreByteForByteTheDatabaseAnswers() {
        String session = signOn(newId(), Map.of("customRoles", "7, 8", "avatar", "https://img.example.com/ü.png"));
        double hitsBefore = hits();
        Response fromDb = GatewayClient.check(session);
        Response fromCache = GatewayClient.check(session);
        assertEquals(hitsBefore + 1, hits(), "the second check is a cache hit");
        assertEquals(202, fromDb.statusCode());
        assertSame(fromDb, fromCache);
        assertEquals("7,8", fromCache.header("X-Community-Roles"));

        sessions.revoke(session, "test");
        session = signOn(newId(), Map.of("email", UUID.randomUUID() + "@cache.test"));
        Response jsonFromDb = GatewayClient.session(session);
        Response jsonFromCache = GatewayClient.session(session);
        assertEquals(200, jsonFromDb.statusCode());
        assertSame(jsonFromDb, jsonFromCache);
    }

    @Test
    void cacheHitsMakeNoDatabaseRoundTrip() {
        String session = signOn(newId(), Map.of());
        GatewayClient.check(session).then().statusCode(202);
        long acquired = dataSource.getMetrics().acquireCount();
        for (int i = 0; i < 100; i++) {
            GatewayClient.check(session).then().statusCode(202);
            GatewayClient.session(session).then().statusCode(200);
        }
        assertEquals(acquired, dataSource.getMetrics().acquireCount(), "200 cached answers, no connection taken");
    }

    @Test
    void signOffHereEndsTheCachedSessionAtOnce() {
        String session = signOn(newId(), Map.of());
        GatewayClient.check(session).then().statusCode(202);
        GatewayClient.check(session).then().statusCode(202);
        sessions.revoke(session, "sign_off");
        GatewayClient.check(session).then().statusCode(401);
        GatewayClient.session(session).then().statusCode(401);
    }

    @Test
    void roleGrantedAndProfileSyncedAtSignOnReachCachedAnswersAtOnce() {
        String id = newId();
        String first = signOn(id, Map.of("customRoles", "1", "avatar", "https://img.example.com/a.png"));
        long accountId = Long.parseLong(GatewayClient.session(first).jsonPath().getString("userId"));
        GatewayClient.session(first).then().body("customRoles", equalTo(List.of("1")));

        accounts.grantCommunityRole(accountId, "42");
        GatewayClient.session(first).then().body("customRoles", equalTo(List.of("1", "42")));

        signOn(id, Map.of("customRoles", "1", "avatar", "https://img.example.com/b.png"));
        GatewayClient.session(first).then().body("avatar", equalTo("https://img.example.com/b.png"));
        assertEquals("https://img.example.com/b.png", GatewayClient.check(first).header("X-Community-Avatar"));
    }

    @Test
    void revocationAtAnotherInstanceArrivesThroughTheFeed() {
        String session = signOn(newId(), Map.of());
        GatewayClient.check(session).then().statusCode(202);
        feed.poll();
        // what SessionService on another instance writes when it ends the session
        String hash = Secrets.sha256Hex(session);
        db.execute("DELETE FROM sessions WHERE id_hash = '" + hash + "'");
        db.execute("INSERT INTO session_feed (kind, id_hash, created_at) VALUES ('R', '" + hash + "', "
                + clock.nowSeconds() + ")");
        GatewayClient.check(session).then().statusCode(202); // stale until the next poll: the revocation lag
        assertTrue(feed.poll() >= 1);
        GatewayClient.check(session).then().statusCode(401);
    }

    @Test
    void accountChangeAtAnotherInstanceArrivesThroughTheFeed() {
        String id = newId();
        String session = signOn(id, Map.of());
        long accountId = Long.parseLong(GatewayClient.session(session).jsonPath().getString("userId"));
        feed.poll();
        String renamed = "r" + id.replace("-", "").substring(0, 18);
        db.execute("UPDATE accounts SET username = '" + renamed + "', username_key = '" + renamed + "' WHERE id = "
                + accountId);
        db.execute("INSERT INTO session_feed (kind, account_id, created_at) VALUES ('A', " + accountId + ", "
                + clock.nowSeconds() + ")");
        feed.poll();
        assertEquals(renamed, GatewayClient.check(session).header("X-Community-Username"));
        GatewayClient.session(session).then().body("username", equalTo(renamed));
    }

    @Test
    void feedRowCommittedAfterAHigherOneIsStillApplied() throws Exception {
        String session = signOn(newId(), Map.of());
        GatewayClient.check(session).then().statusCode(202);
        feed.poll();
        String hash = Secrets.sha256Hex(session);
        String url = ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class);
        try (Connection slow = DriverManager.getConnection(url, "root", "");
                Connection quick = DriverManager.getConnection(url, "root", "")) {
            // another instance's revocation takes its id first but commits last
            slow.setAutoCommit(false);
            slow.createStatement().executeUpdate("DELETE FROM sessions WHERE id_hash = '" + hash + "'");
            slow.createStatement().executeUpdate("INSERT INTO session_feed (kind, id_hash, created_at) VALUES ('R', '"
                    + hash + "', " + clock.nowSeconds() + ")");
            quick.createStatement().executeUpdate("INSERT INTO session_feed (kind, account_id, created_at) VALUES "
                    + "('A', 0, " + clock.nowSeconds() + ")");
            feed.poll();
            GatewayClient.check(session).then().statusCode(202);
            slow.commit();
        }
        feed.poll();
        GatewayClient.check(session).then().statusCode(401);
    }

    @Test
    void sessionSeenOnlyThroughTheCacheStillSlidesPast48Hours() {
        String id = newId();
        String session = signOn(id, Map.of());
        GatewayClient.check(session).then().statusCode(202);
        long acquired = dataSource.getMetrics().acquireCount();
        for (int day = 0; day < 4; day++) {
            clock.advance(Duration.ofHours(40));
            GatewayClient.check(session).then().statusCode(202);
        }
        assertEquals(acquired, dataSource.getMetrics().acquireCount(), "160 hours of checks, all from the cache");
        sessions.sweep(); // flushes this instance's activity first
        assertEquals(1, db.sessionsFor(id), "160 hours old, never idle for 48");
        assertEquals(1, db.count("SELECT COUNT(*) FROM sessions WHERE external_id = ?1 AND idle_expires_at > ?2", id,
                clock.nowSeconds() + Duration.ofHours(47).toSeconds()));

        // another instance (or this one after a restart) reads the slid deadline from the database
        db.execute("INSERT INTO session_feed (kind, id_hash, created_at) VALUES ('R', '" + Secrets.sha256Hex(session)
                + "', " + clock.nowSeconds() + ")");
        feed.poll();
        GatewayClient.check(session).then().statusCode(202);
        clock.advance(Duration.ofHours(48).plusSeconds(1));
        GatewayClient.check(session).then().statusCode(401);
    }

    @Test
    void activityOfManySessionsIsOneStatementPerBatch() {
        String a = signOn(newId(), Map.of());
        String b = signOn(newId(), Map.of());
        clock.advance(Duration.ofMinutes(5));
        GatewayClient.check(a).then().statusCode(202);
        GatewayClient.check(b).then().statusCode(202);
        assertEquals(2, sessions.flushActivity());
        assertEquals(0, sessions.flushActivity(), "nothing left to write");
    }

    private static void assertSame(Response expected, Response actual) {
        assertEquals(expected.statusCode(), actual.statusCode());
        assertEquals(headers(expected), headers(actual));
        assertArrayEquals(expected.asByteArray(), actual.asByteArray());
    }

    private static Map<String, String> headers(Response response) {
        Map<String, String> all = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Header header : response.headers()) {
            if (!header.getName().equalsIgnoreCase("Date")) {
                all.merge(header.getName(), header.getValue(), (x, y) -> x + "\n" + y);
            }
        }
        return all;
    }

    private double hits() {
        return meters.get("cache.gets").tag("cache", "gateway.sessions").tag("result", "hit").functionCounter().count();
    }

    private static String newId() {
        return "cache-" + UUID.randomUUID();
    }

    private static String signOn(String id, Map<String, Object> more) {
        Map<String, Object> data = new java.util.HashMap<>(more);
        data.put("id", id);
        data.putIfAbsent("username", "c" + id.replace("-", "").substring(5, 25));
        Response back = GatewayClient.signOnAcme(data, "/");
        assertEquals(302, back.statusCode(), back.asString());
        return back.getCookie("community_session");
    }
}
