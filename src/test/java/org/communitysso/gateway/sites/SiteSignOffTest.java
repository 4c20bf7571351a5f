package org.communitysso.gateway.sites;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.MovableTimeSource;
import org.communitysso.gateway.testing.TestIdp;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logmanager.ExtLogRecord;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Signing off ends the member's sign-on on every site: the gateway session goes,
 * every site's {@code /sso/session} answers 404, and each signed-in site's
 * {@code logout-url} (WireMock here) receives a logout token, in the background.
 */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class SiteSignOffTest {

    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(2); // %test.gateway.sso.logout-timeout

    @ConfigProperty(name = "test.wiremock.port")
    int wireMockPort;
    @Inject
    MovableTimeSource clock;
    @Inject
    SiteSignOns siteSignOns;
    @Inject
    org.communitysso.gateway.session.SessionService sessions;

    private WireMock sites;

    @BeforeEach
    void standInForTheSites() {
        sites = new WireMock("localhost", wireMockPort);
        for (String site : List.of("shop", "docs", "events", "vault")) {
            sites.register(post(urlEqualTo("/sites/" + site + "/logout")).willReturn(aResponse().withStatus(200)));
        }
        // far beyond the delivery timeout
        sites.register(post(urlEqualTo("/sites/slow/logout")).willReturn(aResponse().withStatus(200)
                .withFixedDelay(15_000)));
    }

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    /** A member signed on at shop (through the IdP) and at docs (without it), with both sites' ssoSession. */
    private record TwoSites(SiteClient.SignedOn member, String userId, String ssoSession) {
    }

    private TwoSites signedOnAtShopAndDocs() {
        SiteClient.SignedOn member = SiteClient.signOnThrough("shop", SiteClient.callback("shop"));
        String ssoSession = SiteClient.exchange("shop", member.ott()).jsonPath().getString("ssoSession");
        String docsReturn = SiteClient.callback("docs");
        String docsOtt = SiteClient.ott(SiteClient.authorize("docs", docsReturn, member.session(), null), docsReturn);
        String userId = SiteClient.exchange("docs", docsOtt).then().statusCode(200)
                .body("ssoSession", equalTo(ssoSession)).extract().jsonPath().getString("userId");
        return new TwoSites(member, userId, ssoSession);
    }

    @Test
    void signOffAtShopEndsTheGatewaySessionAndDocsGetsAValidLogoutToken() throws Exception {
        TwoSites signedOn = signedOnAtShopAndDocs();

        Response signOff = given().redirects().follow(false).cookie("community_session", signedOn.member().session())
                .header("Origin", "https://shop.example.com").queryParam("site", "shop")
                .queryParam("return_url", "https://shop.example.com/signed-out").get("/sso/logout");
        assertEquals(302, signOff.statusCode(), signOff.asString());
        assertEquals("https://shop.example.com/signed-out", signOff.header("Location"));
        assertEquals("", signOff.getDetailedCookie("community_session").getValue());

        GatewayClient.session(signedOn.member().session()).then().statusCode(401);
        SiteClient.ssoSession("docs", signedOn.ssoSession()).then().statusCode(404)
                .body("error", equalTo("no_session"));
        SiteClient.ssoSession("shop", signedOn.ssoSession()).then().statusCode(404);

        JwtClaims docs = verified("docs", awaitLogoutToken("docs", signedOn.ssoSession()));
        assertEquals("http://localhost:" + RestAssured.port, docs.getIssuer());
        assertEquals(List.of("docs"), docs.getAudience());
        assertEquals(signedOn.userId(), docs.getSubject());
        assertEquals(signedOn.ssoSession(), docs.getStringClaimValue("sid"));
        assertTrue(docs.getJwtId() != null && docs.getJwtId().length() >= 22);
        assertTrue(docs.getIssuedAt() != null);
        assertEquals(Map.of("http://schemas.openid.net/event/backchannel-logout", Map.of()),
                docs.getClaimValue("events"));
        assertFalse(docs.hasClaim("nonce"), "a logout token never carries a nonce (OIDC BCL 2.4)");
        // shop, where the member signed off, is told too (another tab of it may still be signed in)
        JwtClaims shop = verified("shop", awaitLogoutToken("shop", signedOn.ssoSession()));
        assertNotEquals(docs.getJwtId(), shop.getJwtId());
    }

    @Test
    void aLogoutTokenForOneSiteDoesNotVerifyWithAnotherSitesSecret() throws Exception {
        TwoSites signedOn = signedOnAtShopAndDocs();
        given().redirects().follow(false).cookie("community_session", signedOn.member().session())
                .get("/auth/logout").then().statusCode(302);
        String token = awaitLogoutToken("docs", signedOn.ssoSession());
        try {
            verified("shop", token);
            throw new AssertionError("verified with shop's secret");
        } catch (InvalidJwtException expected) {
            // signed with docs' secret, for docs
        }
    }

    @Test
    void theCommunitysOwnSignOffEndsEverySitesSignOnToo() throws Exception {
        TwoSites signedOn = signedOnAtShopAndDocs();
        given().redirects().follow(false).cookie("community_session", signedOn.member().session())
                .get("/auth/logout").then().statusCode(302);
        SiteClient.ssoSession("docs", signedOn.ssoSession()).then().statusCode(404);
        verified("docs", awaitLogoutToken("docs", signedOn.ssoSession()));
    }

    @Test
    void anOperatorRevokingTheMembersSessionsEndsEverySitesSignOn() throws Exception {
        TwoSites signedOn = signedOnAtShopAndDocs();
        assertEquals(1, sessions.revokeAll(Long.parseLong(signedOn.userId()), "operator"));
        SiteClient.ssoSession("shop", signedOn.ssoSession()).then().statusCode(404);
        JwtClaims docs = verified("docs", awaitLogoutToken("docs", signedOn.ssoSession()));
        assertEquals(signedOn.userId(), docs.getSubject());
    }

    @Test
    void aNewSignOnInTheSameBrowserEndsTheOldSignOnsAfterItCommitted() throws Exception {
        TwoSites signedOn = signedOnAtShopAndDocs();
        // the member signs on again (another account, say) in the same browser: the old session is replaced
        String target = "/somewhere";
        Response again = SiteClient.idpSignOn(target, "again-" + java.util.UUID.randomUUID(),
                "ag" + Long.toHexString(System.nanoTime()), signedOn.member().session());
        assertNotEquals(signedOn.member().session(), again.getCookie("community_session"));
        SiteClient.ssoSession("docs", signedOn.ssoSession()).then().statusCode(404);
        verified("docs", awaitLogoutToken("docs", signedOn.ssoSession()));
    }

    @Test
    void aSiteWhoseLogoutUrlIsDownOrSlowDoesNotHoldUpTheSignOff() throws Exception {
        TwoSites signedOn = signedOnAtShopAndDocs();
        for (String site : List.of("slow", "down")) {
            String returnUrl = SiteClient.callback(site);
            String ott = SiteClient.ott(SiteClient.authorize(site, returnUrl, signedOn.member().session(), null),
                    returnUrl);
            SiteClient.exchange(site, ott).then().statusCode(200);
        }
        List<String> audit = auditLines();
        Handler handler = auditHandler(audit);
        Logger.getLogger("").addHandler(handler);
        try {
            long started = System.nanoTime();
            Response signOff = given().redirects().follow(false)
                    .cookie("community_session", signedOn.member().session()).queryParam("site", "shop")
                    .queryParam("return_url", "https://shop.example.com/bye").post("/sso/logout");
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertEquals(302, signOff.statusCode());
            assertTrue(took.compareTo(DELIVERY_TIMEOUT) < 0, "the sign-off took " + took.toMillis() + " ms");

            // the sites that answer still get theirs; the others are audited as retried and given up
            verified("docs", awaitLogoutToken("docs", signedOn.ssoSession()));
            awaitLine(audit, "event=site_sign_off_delivery site=docs account=" + signedOn.userId()
                    + " attempt=1 outcome=delivered");
            awaitLine(audit, "event=site_sign_off_delivery site=down account=" + signedOn.userId()
                    + " attempt=1 outcome=retrying");
            awaitLine(audit, "event=site_sign_off_delivery site=slow account=" + signedOn.userId()
                    + " attempt=1 outcome=retrying");
            awaitLine(audit, "event=site_sign_off_delivery site=down account=" + signedOn.userId()
                    + " attempt=3 outcome=failed detail=\"ConnectException\"");
            awaitLine(audit, "event=site_sign_off_delivery site=slow account=" + signedOn.userId()
                    + " attempt=1 outcome=retrying detail=\"HttpTimeoutException\"");
            assertTrue(String.join("\n", audit).contains("event=site_sign_off site=slow account="
                    + signedOn.userId() + " why=sso_sign_off"), String.join("\n", audit));
        } finally {
            Logger.getLogger("").removeHandler(handler);
        }
    }

    @Test
    void aSessionEndedByInactivityIsSweptAndItsSitesAreTold() throws Exception {
        TwoSites signedOn = signedOnAtShopAndDocs();
        clock.advance(Duration.ofHours(48).plusSeconds(1));
        SiteClient.ssoSession("docs", signedOn.ssoSession()).then().statusCode(404);
        siteSignOns.sweep();
        JwtClaims docs = verified("docs", awaitLogoutToken("docs", signedOn.ssoSession()));
        assertEquals(signedOn.userId(), docs.getSubject());
    }

    @ParameterizedTest
    @CsvSource({"Origin, https://evil.test", "Referer, https://evil.test/page", "Sec-Fetch-Site, cross-site"})
    void aSignOffAnotherSiteAsksForIsHeldForTheMemberToConfirm(String header, String value) throws Exception {
        TwoSites signedOn = signedOnAtShopAndDocs();
        Response page = given().redirects().follow(false).cookie("community_session", signedOn.member().session())
                .header(header, value).queryParam("site", "shop")
                .queryParam("return_url", "https://shop.example.com/bye").get("/sso/logout");
        assertEquals(200, page.statusCode());
        String html = page.asString();
        assertTrue(html.contains("Sign out?") && html.contains("action=\"/sso/logout\""), html);
        SiteClient.ssoSession("docs", signedOn.ssoSession()).then().statusCode(200);
        GatewayClient.session(signedOn.member().session()).then().statusCode(200);

        // a forged token does nothing; the page's own button signs off
        given().redirects().follow(false).cookie("community_session", signedOn.member().session())
                .header("Origin", "https://evil.test").contentType("application/x-www-form-urlencoded")
                .formParam("site", "shop").formParam("return_url", "https://shop.example.com/bye")
                .formParam("csrf", "forged").post("/sso/logout").then().statusCode(200);
        SiteClient.ssoSession("docs", signedOn.ssoSession()).then().statusCode(200);
        Response confirmed = given().redirects().follow(false).cookie("community_session", signedOn.member().session())
                .header("Origin", "null").contentType("application/x-www-form-urlencoded")
                .formParam("site", "shop").formParam("return_url", SiteSignOnTest.hidden(html, "return_url"))
                .formParam("csrf", SiteSignOnTest.hidden(html, "csrf")).post("/sso/logout");
        assertEquals(302, confirmed.statusCode());
        assertEquals("https://shop.example.com/bye", confirmed.header("Location"));
        SiteClient.ssoSession("docs", signedOn.ssoSession()).then().statusCode(404);
    }

    @Test
    void aSignOffFromAConfiguredSitesPageNeedsNoConfirmation() {
        TwoSites signedOn = signedOnAtShopAndDocs();
        given().redirects().follow(false).cookie("community_session", signedOn.member().session())
                .header("Sec-Fetch-Site", "cross-site").header("Referer", "https://docs.example.com/account")
                .queryParam("site", "docs").queryParam("return_url", "https://docs.example.com/")
                .get("/sso/logout").then().statusCode(302);
        SiteClient.ssoSession("shop", signedOn.ssoSession()).then().statusCode(404);
    }

    @Test
    void aSignOffWithAnUnknownSiteOrAReturnUrlOffItsOriginIsRefusedAndSignsNothingOff() {
        TwoSites signedOn = signedOnAtShopAndDocs();
        for (String[] request : new String[][] {{"nosuch", "https://shop.example.com/bye"},
                {"shop", "https://evil.test/bye"}, {"shop", "https://docs.example.com/bye"}}) {
            Response refused = given().redirects().follow(false).cookie("community_session", signedOn.member().session())
                    .queryParam("site", request[0]).queryParam("return_url", request[1]).get("/sso/logout");
            assertEquals(400, refused.statusCode());
            assertEquals(null, refused.header("Location"));
        }
        SiteClient.ssoSession("docs", signedOn.ssoSession()).then().statusCode(200);
    }

    private static JwtClaims verified(String site, String token) throws InvalidJwtException {
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setVerificationKey(new HmacKey(SiteClient.SECRETS.get(site).getBytes(StandardCharsets.UTF_8)))
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, "HS256")
                .setExpectedIssuer("http://localhost:" + RestAssured.port)
                .setExpectedAudience(site)
                .setRequireIssuedAt()
                .setRequireJwtId()
                .setRequireExpirationTime()
                .setRequireSubject()
                .build();
        return consumer.processToClaims(token);
    }

    /** The logout token the site's logout-url received for {@code ssoSession} (waits for the background delivery). */
    private String awaitLogoutToken(String site, String ssoSession) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            for (LoggedRequest request : sites.find(postRequestedFor(urlEqualTo("/sites/" + site + "/logout")))) {
                assertTrue(request.getHeader("Content-Type").startsWith("application/x-www-form-urlencoded"));
                Optional<String> token = logoutToken(request.getBodyAsString());
                if (token.isPresent() && sidOf(token.get()).equals(ssoSession)) {
                    return token.get();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no logout token for " + ssoSession + " reached " + site);
    }

    private static Optional<String> logoutToken(String form) {
        for (String pair : form.split("&")) {
            if (pair.startsWith("logout_token=")) {
                return Optional.of(URLDecoder.decode(pair.substring(13), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    private static String sidOf(String jwt) throws Exception {
        JwtConsumer unchecked = new JwtConsumerBuilder().setSkipAllValidators().setDisableRequireSignature()
                .setSkipSignatureVerification().build();
        Object sid = unchecked.processToClaims(jwt).getClaimValue("sid");
        return sid == null ? "" : sid.toString();
    }

    private static List<String> auditLines() {
        return new CopyOnWriteArrayList<>();
    }

    private static Handler auditHandler(List<String> lines) {
        return new Handler() {
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
    }

    private static void awaitLine(List<String> lines, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (lines.stream().anyMatch(l -> l.contains(expected))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no audit line '" + expected + "' in:\n" + String.join("\n", lines));
    }
}
