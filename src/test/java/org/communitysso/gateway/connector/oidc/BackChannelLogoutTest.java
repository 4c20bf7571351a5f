package org.communitysso.gateway.connector.oidc;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.communitysso.gateway.testing.Db;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestOidc;
import org.communitysso.gateway.testing.TestTokens;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;

/** The IdP's logout_token revokes exactly the sessions it names; a forged or replayed one revokes nothing. */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class BackChannelLogoutTest {

    @Inject
    Db db;

    @Test
    void logoutTokenWithSidRevokesThatSessionOnly() {
        String sub = "bc-" + UUID.randomUUID();
        String first = signOn(sub, "sid-1-" + sub);
        String second = signOn(sub, "sid-2-" + sub);
        String bystander = signOn("bc-other-" + UUID.randomUUID(), "sid-x-" + sub);

        post("oidc-a", TestOidc.sign("oidc-a", logoutClaims("oidc-a", "sid-1-" + sub, null))).then().statusCode(200);

        GatewayClient.session(first).then().statusCode(401);
        GatewayClient.session(second).then().statusCode(200);
        GatewayClient.session(bystander).then().statusCode(200);
    }

    @Test
    void logoutTokenWithSubOnlyRevokesEverySessionOfThatMemberAtThisConnector() {
        String sub = "bcs-" + UUID.randomUUID();
        String first = signOn(sub, "sid-a-" + sub);
        String second = signOn(sub, "sid-b-" + sub);
        String bystander = signOn("bcs-other-" + UUID.randomUUID(), "sid-c-" + sub);

        post("oidc-a", TestOidc.sign("oidc-a", logoutClaims("oidc-a", null, sub))).then().statusCode(200);

        GatewayClient.session(first).then().statusCode(401);
        GatewayClient.session(second).then().statusCode(401);
        GatewayClient.session(bystander).then().statusCode(200);
        assertEquals(0, db.sessionsFor(sub));
    }

    @Test
    void forgedReplayedOrMalformedLogoutTokensRevokeNothing() {
        String sub = "bcf-" + UUID.randomUUID();
        String sid = "sid-f-" + sub;
        String session = signOn(sub, sid);

        refused(TestTokens.signRs256(logoutClaims("oidc-a", sid, sub), TestTokens.key("rogue"), TestIdp.OIDC_A_KID),
                "signature_invalid");
        refused(TestTokens.unsigned(logoutClaims("oidc-a", sid, sub)), "algorithm_not_allowed");
        // signed by the other connector's IdP, for the other connector's client
        refused(TestOidc.sign("oidc-b", logoutClaims("oidc-b", sid, sub)), "unknown_key");
        JwtClaims wrongAudience = logoutClaims("oidc-a", sid, sub);
        wrongAudience.setAudience(TestIdp.OIDC_B_CLIENT);
        refused(TestOidc.sign("oidc-a", wrongAudience), "audience_invalid");
        JwtClaims wrongIssuer = logoutClaims("oidc-a", sid, sub);
        wrongIssuer.setIssuer(TestOidc.issuer("oidc-b"));
        refused(TestOidc.sign("oidc-a", wrongIssuer), "issuer_invalid");
        JwtClaims withNonce = logoutClaims("oidc-a", sid, sub);
        withNonce.setClaim("nonce", "n");
        refused(TestOidc.sign("oidc-a", withNonce), "logout_token_invalid");
        JwtClaims noEvent = logoutClaims("oidc-a", sid, sub);
        noEvent.setClaim("events", Map.of("http://schemas.openid.net/event/other", Map.of()));
        refused(TestOidc.sign("oidc-a", noEvent), "logout_token_invalid");
        JwtClaims nobody = logoutClaims("oidc-a", null, null);
        refused(TestOidc.sign("oidc-a", nobody), "logout_token_invalid");
        JwtClaims old = logoutClaims("oidc-a", sid, sub);
        old.setIssuedAt(NumericDate.fromSeconds(NumericDate.now().getValue() - 3600));
        refused(TestOidc.sign("oidc-a", old), "token_too_old");
        refused("", "token_missing");
        // jose4j casts header values unchecked: these were a 500 with a ClassCastException
        refused(TestTokens.signRs256WithHeader("{\"alg\":[\"RS256\"]}", logoutClaims("oidc-a", sid, sub),
                TestTokens.key("oidc-a")), "token_malformed");
        refused(TestTokens.signRs256WithHeader("{\"alg\":\"RS256\",\"kid\":{\"id\":\"a-1\"}}",
                logoutClaims("oidc-a", sid, sub), TestTokens.key("oidc-a")), "token_malformed");
        // an ID token is not a logout token
        refused(TestOidc.sign("oidc-a", TestOidc.idClaims("oidc-a", "n", sub)), "logout_token_invalid");
        GatewayClient.session(session).then().statusCode(200);

        // the genuine token works once; its replay is refused
        String genuine = TestOidc.sign("oidc-a", logoutClaims("oidc-a", sid, sub));
        post("oidc-a", genuine).then().statusCode(200);
        GatewayClient.session(session).then().statusCode(401);
        String again = signOn(sub, sid);
        refused(genuine, "replayed");
        GatewayClient.session(again).then().statusCode(200);
    }

    @Test
    void notAnOidcConnector() {
        // acme exists (a jwt connector) but declares no logout endpoint: the gateway's own JSON refusal, not a missing route
        given().accept("application/json").contentType("application/x-www-form-urlencoded")
                .formParam("logout_token", "x").post("/auth/acme/backchannel-logout")
                .then().statusCode(404).contentType("application/json").body("error", equalTo("not_found"));
        // the same request at an oidc connector reaches the logout token check
        refused("", "token_missing");
    }

    private static void refused(String token, String reason) {
        post("oidc-a", token).then().statusCode(400).contentType("application/json")
                .body("error", equalTo(reason));
    }

    private static Response post(String connector, String token) {
        return given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("logout_token", token).post("/auth/" + connector + "/backchannel-logout");
    }

    /** A logout token as Back-Channel Logout 1.0, 2.4 describes it. */
    private static JwtClaims logoutClaims(String connector, String sid, String sub) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(TestOidc.issuer(connector));
        claims.setAudience(TestOidc.clientId(connector));
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(2);
        claims.setJwtId(UUID.randomUUID().toString());
        claims.setClaim("events", Map.of(OidcTokenVerifier.BACKCHANNEL_LOGOUT_EVENT, Map.of()));
        if (sid != null) {
            claims.setClaim("sid", sid);
        }
        if (sub != null) {
            claims.setSubject(sub);
        }
        return claims;
    }

    private static String signOn(String sub, String sid) {
        Response back = TestOidc.signOn("oidc-a", sub, Map.of("sid", sid,
                "preferred_username", "u" + UUID.randomUUID().toString().substring(0, 12)), Map.of(), "/t");
        assertEquals(302, back.statusCode(), back.asString());
        return back.getCookie("community_session");
    }
}
