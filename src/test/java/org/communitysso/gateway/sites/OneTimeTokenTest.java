package org.communitysso.gateway.sites;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.testing.Db;
import org.communitysso.gateway.testing.MovableTimeSource;
import org.communitysso.gateway.testing.TestIdp;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * One-time tokens: at least 128 random bits, stored only hashed, single use,
 * bound to one site and to the gateway session that issued it, short-lived.
 * Every refusal has its code and issues nothing.
 */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class OneTimeTokenTest {

    @Inject
    Db db;
    @Inject
    MovableTimeSource clock;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    @Test
    void theTokenIsRandomLongAndStoredOnlyAsItsHash() {
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        String ott = member.ott();
        assertTrue(ott.matches("[A-Za-z0-9_-]{43}"), "256 random bits, base64url: " + ott);
        assertEquals(0, db.count("SELECT COUNT(*) FROM sso_one_time_tokens WHERE token_hash = ?1", ott));
        assertEquals(1, db.count("SELECT COUNT(*) FROM sso_one_time_tokens WHERE token_hash = ?1",
                Secrets.sha256Hex(ott)));
        assertEquals(1, db.count("SELECT COUNT(*) FROM sso_one_time_tokens WHERE token_hash = ?1 AND site_id = 'shop'",
                Secrets.sha256Hex(ott)));
    }

    @Test
    void aUsedTokenIsRefused() {
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        SiteClient.exchange("shop", member.ott()).then().statusCode(200);
        refusedAsInvalidOtt(SiteClient.exchange("shop", member.ott()));
    }

    @Test
    void anExpiredTokenIsRefused() {
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        clock.advance(Duration.ofSeconds(61));
        refusedAsInvalidOtt(SiteClient.exchange("shop", member.ott()));
    }

    @Test
    void aTokenLivesItsLifetime() {
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        clock.advance(Duration.ofSeconds(50));
        SiteClient.exchange("shop", member.ott()).then().statusCode(200);
    }

    @Test
    void anotherSiteCannotExchangeItAndSpendsIt() {
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        refusedAsInvalidOtt(SiteClient.exchange("docs", member.ott()));
        // a token seen by the wrong site is spent: not even its own site can use it now
        refusedAsInvalidOtt(SiteClient.exchange("shop", member.ott()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"wrong-secret-wrong-secret-wrong-secret", "", "docs-secret-test-only-0123456789abcdef",
            "shop-secret-test-only-0123456789abcdeF", "shop-secret-test-only-0123456789abcdef "})
    void wrongSiteCredentialsAreRefusedAndLeaveTheTokenAlone(String secret) {
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        Response refused = SiteClient.exchange("shop", secret, member.ott());
        assertEquals(401, refused.statusCode(), refused.asString());
        assertEquals("invalid_client", refused.jsonPath().getString("error"));
        assertNull(refused.jsonPath().get("userId"));
        SiteClient.exchange("shop", member.ott()).then().statusCode(200);
    }

    @Test
    void missingOrMalformedCredentialsAreRefused() {
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        for (String header : new String[] {null, "Basic", "Basic !!!", "Bearer x", "Basic "
                + java.util.Base64.getEncoder().encodeToString("nosuchsite:whatever".getBytes())}) {
            var request = given().contentType("application/x-www-form-urlencoded").formParam("ott", member.ott());
            if (header != null) {
                request.header("Authorization", header);
            }
            request.post("/sso/token").then().statusCode(401).body("error", equalTo("invalid_client"));
        }
        SiteClient.exchange("shop", member.ott()).then().statusCode(200);
    }

    @Test
    void unknownAndMissingTokensAreRefused() {
        refusedAsInvalidOtt(SiteClient.exchange("shop", Secrets.randomId()));
        refusedAsInvalidOtt(SiteClient.exchange("shop", ""));
        refusedAsInvalidOtt(SiteClient.exchange("shop", "x".repeat(500)));
    }

    @Test
    void aTokenOfAnEndedGatewaySessionIsRefused() {
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        given().redirects().follow(false).cookie("community_session", member.session()).get("/auth/logout")
                .then().statusCode(302);
        refusedAsInvalidOtt(SiteClient.exchange("shop", member.ott()));
    }

    @Test
    void twoConcurrentExchangesHaveExactlyOneWinner() throws Exception {
        for (int round = 0; round < 5; round++) {
            SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Integer>> answers = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    answers.add(pool.submit(() -> {
                        start.await();
                        return SiteClient.exchange("shop", member.ott()).statusCode();
                    }));
                }
                start.countDown();
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> answer : answers) {
                    statuses.add(answer.get());
                }
                assertEquals(1, statuses.stream().filter(s -> s == 200).count(), statuses.toString());
                assertEquals(1, statuses.stream().filter(s -> s == 400).count(), statuses.toString());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://evil.test/sso/callback", "https://shop.example.com.evil.test/cb",
            "http://shop.example.com/cb", "https://shop.example.com:444/cb", "//shop.example.com/cb", "/cb",
            "https://user@shop.example.com/cb", "https://shop.example.com\\@evil.test/", "javascript:alert(1)",
            "https://shop.example.com/cb?ott=planted", "https://shop.example.com/cb?error=x", ""})
    void aReturnUrlOffTheSitesOriginIsA400PageAndNoRedirect(String returnUrl) {
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        long before = db.count("SELECT COUNT(*) FROM sso_one_time_tokens");
        Response refused = SiteClient.authorize("shop", returnUrl, member.session(), null);
        assertEquals(400, refused.statusCode());
        assertNull(refused.header("Location"));
        assertTrue(refused.contentType().startsWith("text/html"), refused.contentType());
        assertTrue(refused.asString().contains("invalid_return_url"), refused.asString());
        assertEquals(before, db.count("SELECT COUNT(*) FROM sso_one_time_tokens"), "nothing issued");
    }

    @Test
    void anUnknownSiteIsA400PageAndNoRedirect() {
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        long before = db.count("SELECT COUNT(*) FROM sso_one_time_tokens");
        for (String site : new String[] {"nosuch", "", "SHOP", "shop "}) {
            Response refused = SiteClient.authorize(site, "https://shop.example.com/cb", member.session(), null);
            assertEquals(400, refused.statusCode(), site);
            assertNull(refused.header("Location"));
            assertTrue(refused.asString().contains("unknown_site"), refused.asString());
        }
        Response noSite = given().redirects().follow(false).cookie("community_session", member.session())
                .queryParam("return_url", "https://shop.example.com/cb").get("/sso/authorize");
        assertEquals(400, noSite.statusCode());
        assertEquals(before, db.count("SELECT COUNT(*) FROM sso_one_time_tokens"), "nothing issued");
    }

    @Test
    void promptNoneWithoutASessionIssuesNothing() {
        long before = db.count("SELECT COUNT(*) FROM sso_one_time_tokens");
        String returnUrl = SiteClient.callback("docs");
        Response answer = SiteClient.authorize("docs", returnUrl, "no-such-session", "none");
        assertEquals(302, answer.statusCode());
        assertEquals(returnUrl + "&error=login_required", answer.header("Location"));
        assertFalse(answer.header("Location").contains("ott="));
        assertEquals(before, db.count("SELECT COUNT(*) FROM sso_one_time_tokens"));
    }

    @Test
    void everyTokenIssuedExchangedAndRefusedIsAnAuditLineWithoutItsValue() {
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if ("audit".equals(record.getLoggerName())) {
                    lines.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger("").addHandler(handler);
        try {
            SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
            SiteClient.exchange("shop", member.ott()).then().statusCode(200);
            SiteClient.exchange("shop", member.ott()).then().statusCode(400);
            SiteClient.exchange("shop", "wrong-secret-wrong-secret-wrong-secret", member.ott()).then().statusCode(401);
            String all = String.join("\n", lines);
            assertTrue(all.contains("event=ott_issued site=shop account="), all);
            assertTrue(all.contains("event=ott_exchanged site=shop account="), all);
            assertTrue(all.contains("event=ott_refused site=shop reason=invalid_ott"), all);
            assertTrue(all.contains("event=ott_refused site=- reason=invalid_client"), all);
            assertFalse(all.contains(member.ott()), "no token value in the audit log");
            assertFalse(all.contains(member.session()), "no session value in the audit log");
        } finally {
            Logger.getLogger("").removeHandler(handler);
        }
    }

    private void refusedAsInvalidOtt(Response response) {
        assertEquals(400, response.statusCode(), response.asString());
        assertEquals("invalid_ott", response.jsonPath().getString("error"));
        assertNull(response.jsonPath().get("userId"));
        assertNull(response.jsonPath().get("ssoSession"));
    }
}
