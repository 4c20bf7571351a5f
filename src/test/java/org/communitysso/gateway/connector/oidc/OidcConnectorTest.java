package org.communitysso.gateway.connector.oidc;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ExternalIdentity;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.testing.ConnectorConfigs;
import org.communitysso.gateway.testing.HttpOidcClients;
import org.communitysso.gateway.testing.InMemoryReplayGuard;
import org.communitysso.gateway.testing.MovableTimeSource;
import org.communitysso.gateway.testing.TestOidc;
import org.communitysso.gateway.testing.TestTokens;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The OpenID Connect connector on its own (no Quarkus, no database), against a
 * WireMock IdP this test starts: discovery, JWKS, token and userinfo endpoints.
 * The token request goes through {@link HttpOidcClients}, a stand-in for Quarkus
 * OIDC's client factory.
 */
class OidcConnectorTest {

    /** What the edge hands the connector as the value its IdP must echo. */
    private static final String EDGE_STATE = "edge-state-" + java.util.UUID.randomUUID();

    static final String RETURN = "https://community.example.com/auth/oidc/return";
    static final String CLIENT = "community";
    static KeyPair idpKey;
    static KeyPair rogue;
    static WireMockServer idp;

    InMemoryReplayGuard replay;
    Map<String, Connector> connectors;

    @BeforeAll
    static void startIdp() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        idpKey = generator.generateKeyPair();
        rogue = generator.generateKeyPair();
        idp = new WireMockServer(options().dynamicPort());
        idp.start();
    }

    @AfterAll
    static void stopIdp() {
        idp.stop();
    }

    static String issuer() {
        return idp.baseUrl() + "/oidc";
    }

    @BeforeEach
    void build() {
        idp.resetAll();
        String i = issuer();
        idp.stubFor(get(urlEqualTo("/oidc/.well-known/openid-configuration")).willReturn(json(
                "{\"issuer\":\"" + i + "\",\"authorization_endpoint\":\"" + i + "/authorize\","
                        + "\"token_endpoint\":\"" + i + "/token\",\"userinfo_endpoint\":\"" + i + "/userinfo\","
                        + "\"jwks_uri\":\"" + i + "/jwks\",\"end_session_endpoint\":\"" + i + "/logout\"}")));
        idp.stubFor(get(urlEqualTo("/oidc/jwks")).willReturn(json(TestTokens.jwks(idpKey, "k1"))));
        replay = new InMemoryReplayGuard();
        String c = "gateway.connectors.";
        Map<String, String> p = new HashMap<>();
        p.put(c + "oidc.type", "oidc");
        p.put(c + "oidc.issuer", i);
        p.put(c + "oidc.client-id", CLIENT);
        p.put(c + "oidc.client-secret", "secret-unit-test");
        p.put(c + "oidc.oidc.jwks-refetch-interval", "0S");
        p.put(c + "oidc.connect-timeout", "1S");
        p.put(c + "oidc.read-timeout", "1S");
        p.put(c + "down.type", "oidc");
        p.put(c + "down.issuer", "http://127.0.0.1:" + closedPort() + "/down");
        p.put(c + "down.client-id", "down");
        p.put(c + "down.connect-timeout", "1S");
        p.put(c + "down.read-timeout", "1S");
        connectors = ConnectorConfigs.build(p,
                List.of(new OidcConnectorFactory(replay, new MovableTimeSource(), new HttpOidcClients())));
    }

    // ---- the one place that speaks the SPI ------------------------------------------------------

    /** A started sign-on: what the browser is sent to the IdP with, and what the gateway keeps. */
    record Started(Map<String, String> query, Map<String, String> protocolData) {
        String state() {
            return query.get("state");
        }

        String nonce() {
            return query.get("nonce");
        }
    }

    Started start(String connector, boolean forceLogin) {
        Connector.SignOnStart start = connectors.get(connector).start(new Connector.SignOnRequest(RETURN, forceLogin, EDGE_STATE));
        return new Started(TestOidc.query(start.redirect()), start.protocolData());
    }

    ExternalIdentity complete(Started started, Map<String, String> parameters) {
        return connectors.get("oidc").complete(new Connector.Callback(parameters,
                started == null ? Map.of() : started.protocolData(), started != null));
    }

    String refusal(Started started, Map<String, String> parameters) {
        return assertThrows(GatewayException.class, () -> complete(started, parameters)).reason().code();
    }

    // ---- the IdP --------------------------------------------------------------------------------

    JwtClaims idClaims(Started started, String sub) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer());
        claims.setAudience(CLIENT);
        claims.setSubject(sub);
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(5);
        claims.setClaim("nonce", started.nonce());
        claims.setClaim("sid", "sid-" + sub);
        return claims;
    }

    /** The token endpoint answers {@code code} with this ID token and an access token; userinfo knows the sub. */
    String answer(String code, String idToken, Map<String, Object> userInfo) {
        String accessToken = "at-" + UUID.randomUUID();
        idp.stubFor(post(urlEqualTo("/oidc/token")).withRequestBody(containing("code=" + code))
                .willReturn(json(TestOidc.json(Map.of("access_token", accessToken, "token_type", "Bearer",
                        "id_token", idToken)))));
        idp.stubFor(get(urlEqualTo("/oidc/userinfo")).withHeader("Authorization", equalTo("Bearer " + accessToken))
                .willReturn(json(TestOidc.json(userInfo))));
        return code;
    }

    /** A whole sign-on whose ID token the test may spoil first. */
    ExternalIdentity signOn(Consumer<JwtClaims> spoil, KeyPair key, Map<String, Object> userInfo) {
        Started started = start("oidc", false);
        String sub = "sub-" + UUID.randomUUID();
        JwtClaims claims = idClaims(started, sub);
        spoil.accept(claims);
        Map<String, Object> info = new HashMap<>(userInfo);
        info.putIfAbsent("sub", sub);
        String code = answer("c-" + UUID.randomUUID(), TestTokens.signRs256(claims, key, "k1"), info);
        return complete(started, Map.of("code", code, "state", started.state()));
    }

    // ---- main path ------------------------------------------------------------------------------

    @Test
    void startSendsAnAuthorizationRequestWithStateNonceAndPkce() {
        Started started = start("oidc", false);
        assertEquals("code", started.query().get("response_type"));
        assertEquals(CLIENT, started.query().get("client_id"));
        assertEquals(RETURN, started.query().get("redirect_uri"));
        assertEquals("openid email profile", started.query().get("scope"));
        assertEquals("S256", started.query().get("code_challenge_method"));
        assertEquals(OidcConnector.s256(started.protocolData().get(OidcConnector.VERIFIER)),
                started.query().get("code_challenge"));
        assertEquals(EDGE_STATE, started.state(), "the state is exactly the one the edge gave");
        assertNotEquals(started.nonce(), start("oidc", false).nonce(), "a new nonce per sign-on");
        assertFalse(started.query().containsKey("prompt"));
        assertEquals("login", start("oidc", true).query().get("prompt"));
    }

    @Test
    void signOnGivesTheIdTokenClaimsMergedWithUserinfo() {
        ExternalIdentity identity = signOn(c -> c.setClaim("email", "kim@mail.test"), idpKey,
                Map.of("preferred_username", "kim", "groups", List.of("admins"), "iss", "https://evil.test"));
        assertEquals("oidc", identity.connectorId());
        assertTrue(((String) identity.claims().get("sub")).startsWith("sub-"));
        assertEquals("kim", identity.claims().get("preferred_username"));
        assertEquals(List.of("admins"), identity.claims().get("groups"));
        assertEquals(issuer(), identity.claims().get("iss"), "token claims are never taken from userinfo");
        assertEquals("kim@mail.test", identity.claims().get("email"));
        assertEquals("sid-" + identity.claims().get("sub"), identity.idpSessionId());
        assertTrue(identity.signOffHandle().startsWith("ey"), "the ID token is kept as id_token_hint");
        idp.verify(postRequestedFor(urlEqualTo("/oidc/token"))
                .withRequestBody(containing("code_verifier="))
                .withRequestBody(containing("redirect_uri=" + java.net.URLEncoder.encode(RETURN,
                        java.nio.charset.StandardCharsets.UTF_8))));
    }

    @Test
    void anEmailTheIdpHasNotVerifiedIsDropped() {
        ExternalIdentity identity = signOn(c -> {
            c.setClaim("email", "someone-else@mail.test");
            c.setClaim("email_verified", false);
        }, idpKey, Map.of());
        assertFalse(identity.claims().containsKey("email"));
    }

    // ---- refusals of the answer itself ----------------------------------------------------------

    @Test
    void answerRefusals() {
        Started started = start("oidc", false);
        // which sign-on an echoed state names is the edge's to decide (RejectsBadIdTokensTest over HTTP):
        // an answer that names none reaches the connector unsolicited
        assertEquals("state_invalid", refusal(null, Map.of("code", "c", "state", started.state())),
                "no sign-on started here");
        assertEquals("idp_error", refusal(started, Map.of("error", "access_denied", "state", started.state())));
        assertEquals("token_missing", refusal(started, Map.of("state", started.state())));
        assertEquals("token_too_large", refusal(started, Map.of("code", "x".repeat(5000), "state", started.state())));
    }

    @Test
    void aCodeIsRedeemedOnce() {
        Started started = start("oidc", false);
        String code = answer("c-once", TestTokens.signRs256(idClaims(started, "s1"), idpKey, "k1"), Map.of("sub", "s1"));
        complete(started, Map.of("code", code, "state", started.state()));
        assertEquals("replayed", refusal(started, Map.of("code", code, "state", started.state())));
    }

    // ---- refusals of the ID token ---------------------------------------------------------------

    static Stream<Arguments> badIdTokens() {
        return Stream.of(
                bad("wrong issuer", "issuer_invalid", c -> c.setIssuer("https://evil.test")),
                bad("wrong audience", "audience_invalid", c -> c.setAudience("another-client")),
                bad("expired", "token_expired", c -> {
                    c.setIssuedAt(NumericDate.fromSeconds(now() - 600));
                    c.setExpirationTime(NumericDate.fromSeconds(now() - 300));
                }),
                bad("nonce of another sign-on", "nonce_invalid", c -> c.setClaim("nonce", "other")),
                bad("no nonce", "nonce_invalid", c -> c.unsetClaim("nonce")),
                bad("no sub", "token_malformed", c -> c.unsetClaim("sub")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badIdTokens")
    void badIdTokenIsRefused(String name, String reason, Consumer<JwtClaims> spoil) {
        assertEquals(reason, assertThrows(GatewayException.class,
                () -> signOn(spoil, idpKey, Map.of())).reason().code());
    }

    @Test
    void idTokenSignedByAnotherKeyIsRefused() {
        assertEquals("signature_invalid", assertThrows(GatewayException.class,
                () -> signOn(c -> { }, rogue, Map.of())).reason().code());
    }

    @Test
    void userinfoForAnotherSubjectIsRefused() {
        assertEquals("userinfo_mismatch", assertThrows(GatewayException.class,
                () -> signOn(c -> { }, idpKey, Map.of("sub", "someone-else"))).reason().code());
    }

    // ---- the IdP failing ------------------------------------------------------------------------

    @Test
    void tokenEndpointRefusingTheCodeIsCodeInvalid() {
        Started started = start("oidc", false);
        idp.stubFor(post(urlEqualTo("/oidc/token")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_grant\"}")));
        assertEquals("code_invalid", refusal(started, Map.of("code", "expired-code", "state", started.state())));
    }

    @Test
    void tokenEndpointSlowerThanTheReadTimeoutIsIdpUnavailable() {
        Started started = start("oidc", false);
        idp.stubFor(post(urlEqualTo("/oidc/token")).willReturn(json("{}").withFixedDelay(3_000)));
        assertEquals("idp_unavailable", refusal(started, Map.of("code", "slow", "state", started.state())));
    }

    @Test
    void tokenEndpointDroppingTheConnectionIsIdpUnavailable() {
        Started started = start("oidc", false);
        idp.stubFor(post(urlEqualTo("/oidc/token")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        assertEquals("idp_unavailable", refusal(started, Map.of("code", "reset", "state", started.state())));
    }

    @Test
    void userinfoFailingIsIdpUnavailable() {
        Started started = start("oidc", false);
        answer("c-ui", TestTokens.signRs256(idClaims(started, "s2"), idpKey, "k1"), Map.of("sub", "s2"));
        idp.stubFor(get(urlEqualTo("/oidc/userinfo")).willReturn(aResponse().withStatus(503)));
        assertEquals("idp_unavailable", refusal(started, Map.of("code", "c-ui", "state", started.state())));
    }

    @Test
    void discoveryFailingIsIdpUnavailableAndRetriedOnTheNextSignOn() {
        idp.stubFor(get(urlEqualTo("/oidc/.well-known/openid-configuration")).atPriority(1)
                .willReturn(aResponse().withStatus(500)));
        assertEquals("idp_unavailable", assertThrows(GatewayException.class, () -> start("oidc", false))
                .reason().code());
        idp.resetAll();
        build();
        assertEquals(CLIENT, start("oidc", false).query().get("client_id"));
    }

    @Test
    void discoveryNamingAnotherIssuerIsIdpUnavailable() {
        idp.stubFor(get(urlEqualTo("/oidc/.well-known/openid-configuration")).atPriority(1)
                .willReturn(json("{\"issuer\":\"https://evil.test\",\"authorization_endpoint\":\"https://evil.test/a\","
                        + "\"token_endpoint\":\"https://evil.test/t\",\"jwks_uri\":\"https://evil.test/j\"}")));
        assertEquals("idp_unavailable", assertThrows(GatewayException.class, () -> start("oidc", false))
                .reason().code());
    }

    @Test
    void issuerNobodyListensOnIsIdpUnavailable() {
        assertEquals("idp_unavailable", assertThrows(GatewayException.class, () -> start("down", false))
                .reason().code());
    }

    @Test
    void recognisesAnAnswerByTheIssParameter() {
        Connector connector = connectors.get("oidc");
        assertTrue(connector.recognises(new Connector.Callback(Map.of("iss", issuer()), Map.of(), false)));
        assertFalse(connector.recognises(new Connector.Callback(Map.of("iss", "https://evil.test"), Map.of(), false)));
        assertFalse(connector.recognises(new Connector.Callback(Map.of(), Map.of(), false)));
    }

    // ---- helpers --------------------------------------------------------------------------------

    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
        return aResponse().withHeader("Content-Type", "application/json").withBody(body);
    }

    static Arguments bad(String name, String reason, Consumer<JwtClaims> spoil) {
        return Arguments.of(name, reason, spoil);
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    static int closedPort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
