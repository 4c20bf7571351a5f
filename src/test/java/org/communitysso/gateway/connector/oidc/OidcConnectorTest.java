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
import org.communitysso.gateway.testing.LogCapture;
import org.communitysso.gateway.testing.MovableTimeSource;
import org.communitysso.gateway.testing.TestOidc;
import org.communitysso.gateway.testing.TestTls;
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
        // an https port too, with a certificate for localhost that the token client trusts (TestTls)
        idp = new WireMockServer(options().dynamicPort().dynamicHttpsPort()
                .keystorePath(TestTls.keyStore().toString()).keystoreType("PKCS12")
                .keystorePassword(TestTls.PASSWORD).keyManagerPassword(TestTls.PASSWORD));
        idp.start();
    }

    @AfterAll
    static void stopIdp() {
        idp.stop();
    }

    /** WireMock's baseUrl() is the https one once an https port is open. */
    static String httpBase() {
        return "http://localhost:" + idp.port();
    }

    static String issuer() {
        return httpBase() + "/oidc";
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
        connectors = build(p);
    }

    Map<String, Connector> build(Map<String, String> properties) {
        return ConnectorConfigs.build(properties, List.of(new OidcConnectorFactory(replay, new MovableTimeSource(),
                new HttpOidcClients(TestTls.trustingTestCertificate()))));
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
    void aChangedDiscoveryDocumentIsPickedUpWithoutARestartAndAFailedRefreshKeepsTheLastGoodCopy()
            throws Exception {
        String c = "gateway.connectors.oidc.";
        connectors = build(Map.of(c + "type", "oidc", c + "issuer", issuer(), c + "client-id", CLIENT,
                c + "client-secret", "secret-unit-test", c + "oidc.jwks-refetch-interval", "0S",
                c + "oidc.discovery-refresh", "0S", c + "connect-timeout", "1S", c + "read-timeout", "1S"));
        signOn(claims -> { }, idpKey, Map.of());

        // the IdP rolls its keys to a new jwks_uri; the old one keeps serving only the old key
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair rolled = generator.generateKeyPair();
        String i = issuer();
        idp.stubFor(get(urlEqualTo("/oidc/.well-known/openid-configuration")).atPriority(1).willReturn(json(
                "{\"issuer\":\"" + i + "\",\"authorization_endpoint\":\"" + i + "/authorize\","
                        + "\"token_endpoint\":\"" + i + "/token\",\"userinfo_endpoint\":\"" + i + "/userinfo\","
                        + "\"jwks_uri\":\"" + i + "/jwks-2\"}")));
        idp.stubFor(get(urlEqualTo("/oidc/jwks-2")).willReturn(json(TestTokens.jwks(rolled, "k1"))));
        assertEquals("oidc", signOn(claims -> { }, rolled, Map.of()).connectorId(),
                "a token signed with the rolled key is accepted");
        assertThrows(GatewayException.class, () -> signOn(claims -> { }, idpKey, Map.of()),
                "the key the IdP dropped is refused");

        // the issuer is down for a while: the last good endpoints and keys stay in use
        idp.stubFor(get(urlEqualTo("/oidc/.well-known/openid-configuration")).atPriority(1)
                .willReturn(aResponse().withStatus(503)));
        assertEquals("oidc", signOn(claims -> { }, rolled, Map.of()).connectorId());
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

    // ---- the seed's seven parameters (authorization URL, issuer, token URL, client secret, client id,
    //      scope, userinfo URL) and nothing else ---------------------------------------------------

    /** The seven parameters of the seed for connector {@code id}; the IdP under {@code path}, its token endpoint at {@code tokenBase}. */
    static Map<String, String> seven(String id, String issuer, String tokenBase) {
        String c = "gateway.connectors." + id + ".";
        Map<String, String> p = new HashMap<>();
        p.put(c + "type", "oidc");
        p.put(c + "authorization-url", issuer + "/authorize");
        p.put(c + "issuer", issuer);
        p.put(c + "token-url", tokenBase + "/token");
        p.put(c + "client-secret", "secret-unit-test");
        p.put(c + "client-id", CLIENT);
        p.put(c + "scope", "openid email profile");
        p.put(c + "user-info-url", issuer + "/userinfo");
        p.put(c + "connect-timeout", "5S");
        p.put(c + "read-timeout", "5S");
        return p;
    }

    /**
     * A whole sign-on at {@code connector} of {@code built}, whose IdP lives under {@code path}:
     * the ID token is made by {@code sign} from the (spoilt) claims and the access token the
     * token endpoint answers with.
     */
    ExternalIdentity signOnAt(Map<String, Connector> built, String connector, String issuer, String path,
            Consumer<JwtClaims> spoil, java.util.function.BiFunction<JwtClaims, String, String> sign) {
        Connector.SignOnStart start = built.get(connector).start(new Connector.SignOnRequest(RETURN, false, EDGE_STATE));
        Map<String, String> query = TestOidc.query(start.redirect());
        String sub = "sub-" + UUID.randomUUID();
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setAudience(CLIENT);
        claims.setSubject(sub);
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(5);
        claims.setClaim("nonce", query.get("nonce"));
        spoil.accept(claims);
        String accessToken = "at-" + UUID.randomUUID();
        String code = "c-" + UUID.randomUUID();
        idp.stubFor(post(urlEqualTo(path + "/token")).withRequestBody(containing("code=" + code))
                .willReturn(json(TestOidc.json(Map.of("access_token", accessToken, "token_type", "Bearer",
                        "id_token", sign.apply(claims, accessToken))))));
        idp.stubFor(get(urlEqualTo(path + "/userinfo")).withHeader("Authorization", equalTo("Bearer " + accessToken))
                .willReturn(json(TestOidc.json(Map.of("sub", sub, "preferred_username", "kim")))));
        return built.get(connector).complete(new Connector.Callback(Map.of("code", code, "state", query.get("state")),
                start.protocolData(), true));
    }

    static java.util.function.BiFunction<JwtClaims, String, String> rs256(KeyPair key) {
        return (claims, accessToken) -> TestTokens.signRs256(claims, key, "k1");
    }

    static String reason(org.junit.jupiter.api.function.Executable executable) {
        return assertThrows(GatewayException.class, executable).reason().code();
    }

    @Test
    void sevenParametersTakeTheKeysFromTheIssuersDiscoveryDocument() {
        String i = httpBase() + "/seven";
        // the IdP publishes a discovery document with its keys; the seven parameters say nothing of them
        idp.stubFor(get(urlEqualTo("/seven/.well-known/openid-configuration")).willReturn(json(
                "{\"issuer\":\"" + i + "\",\"jwks_uri\":\"" + i + "/keys\"}")));
        idp.stubFor(get(urlEqualTo("/seven/keys")).willReturn(json(TestTokens.jwks(idpKey, "k1"))));
        Map<String, Connector> built = build(seven("seven", i, i));

        ExternalIdentity identity = signOnAt(built, "seven", i, "/seven", c -> { }, rs256(idpKey));
        assertEquals("kim", identity.claims().get("preferred_username"), "userinfo merged");
        assertEquals("signature_invalid", reason(() -> signOnAt(built, "seven", i, "/seven", c -> { }, rs256(rogue))),
                "the discovered keys are used: a token signed by another key is refused");
        assertEquals(1, idp.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
                urlEqualTo("/seven/.well-known/openid-configuration"))).size(), "discovery fetched once, then kept");
    }

    @Test
    void sevenParametersWithAnHttpsTokenEndpointAndNoKeysRelyOnTls() {
        // no discovery document at the issuer (WireMock answers 404), the token endpoint is https
        String i = httpBase() + "/tls";
        String tokenBase = "https://localhost:" + idp.httpsPort() + "/tls";
        Map<String, Connector> built;
        try (LogCapture log = LogCapture.install()) {
            built = build(seven("seven", i, tokenBase));
            assertTrue(log.warnings().stream().anyMatch(w -> w.contains("connector seven")
                    && w.contains("no jwks-url") && w.contains("TLS to the https token endpoint " + tokenBase)),
                    "one start-up warning names the connector and why: " + log.warnings());
        }
        // any key: the IdP offers none, the ID token is trusted because it came from the token endpoint over TLS
        ExternalIdentity identity = signOnAt(built, "seven", i, "/tls", c -> { }, rs256(rogue));
        assertEquals("kim", identity.claims().get("preferred_username"));
        idp.verify(postRequestedFor(urlEqualTo("/tls/token")));

        // every claim is still checked
        assertEquals("issuer_invalid", reason(() -> signOnAt(built, "seven", i, "/tls",
                c -> c.setIssuer("https://evil.test"), rs256(rogue))));
        assertEquals("audience_invalid", reason(() -> signOnAt(built, "seven", i, "/tls",
                c -> c.setAudience("another-client"), rs256(rogue))));
        assertEquals("nonce_invalid", reason(() -> signOnAt(built, "seven", i, "/tls",
                c -> c.setClaim("nonce", "other"), rs256(rogue))));
        assertEquals("token_expired", reason(() -> signOnAt(built, "seven", i, "/tls", c -> {
            c.setIssuedAt(NumericDate.fromSeconds(now() - 600));
            c.setExpirationTime(NumericDate.fromSeconds(now() - 300));
        }, rs256(rogue))));
        assertEquals("token_not_yet_valid", reason(() -> signOnAt(built, "seven", i, "/tls",
                c -> c.setIssuedAt(NumericDate.fromSeconds(now() + 120)), rs256(rogue))));
        assertEquals("algorithm_not_allowed", reason(() -> signOnAt(built, "seven", i, "/tls", c -> { },
                (claims, at) -> TestTokens.unsigned(claims))), "alg none stays refused");
    }

    @Test
    void aLogoutTokenIsNeverTrustedWithoutKeys() {
        String i = httpBase() + "/tls";
        Map<String, Connector> built = build(seven("seven", i, "https://localhost:" + idp.httpsPort() + "/tls"));
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(i);
        claims.setAudience(CLIENT);
        claims.setIssuedAtToNow();
        claims.setJwtId(UUID.randomUUID().toString());
        claims.setSubject("s1");
        claims.setClaim("events", Map.of(OidcTokenVerifier.BACKCHANNEL_LOGOUT_EVENT, Map.of()));
        String token = TestTokens.signRs256(claims, rogue, "k1");
        OidcConnector connector = (OidcConnector) built.get("seven");
        assertEquals("logout_token_invalid", reason(() -> connector.receiveLogout(
                new org.communitysso.gateway.connector.IdpLogoutReceiver.LogoutMessage("", Map.of("logout_token", token),
                        "https://community.example.com/auth"))));
    }

    @Test
    void sevenParametersWithAnHttpTokenEndpointAndNoKeysStopStartUpNamingTheKey() {
        // http token endpoint, no jwks-url, and the issuer's discovery document (404 here) offers no keys
        String i = httpBase() + "/plain";
        io.quarkus.runtime.configuration.ConfigurationException e = assertThrows(
                io.quarkus.runtime.configuration.ConfigurationException.class, () -> build(seven("seven", i, i)));
        assertTrue(e.getMessage().contains("gateway.connectors.seven.jwks-url"), e.getMessage());
        // a discovery document without jwks_uri is no better
        idp.stubFor(get(urlEqualTo("/plain/.well-known/openid-configuration")).willReturn(json(
                "{\"issuer\":\"" + i + "\"}")));
        e = assertThrows(io.quarkus.runtime.configuration.ConfigurationException.class, () -> build(seven("seven", i, i)));
        assertTrue(e.getMessage().contains("gateway.connectors.seven.jwks-url"), e.getMessage());
        // with jwks-url it starts
        Map<String, String> withKeys = seven("seven", i, i);
        withKeys.put("gateway.connectors.seven.jwks-url", i + "/keys");
        assertEquals("oidc", build(withKeys).get("seven").settings().type());
    }

    @Test
    void anUnreachableDiscoveryAtStartUpDoesNotStopTheGatewayButRefusesSignOnsUntilItAnswers() {
        // http token endpoint, no jwks-url: discovery decides, and it is down (HTTP 503) at start-up
        String i = httpBase() + "/later";
        idp.stubFor(get(urlEqualTo("/later/.well-known/openid-configuration")).atPriority(1)
                .willReturn(aResponse().withStatus(503)));
        Map<String, Connector> built = build(seven("later", i, i));
        assertEquals("idp_unavailable", reason(() -> signOnAt(built, "later", i, "/later", c -> { }, rs256(idpKey))),
                "no keys and an http token endpoint: refused, never trusted on the connection");
        // the IdP comes back with its keys
        idp.stubFor(get(urlEqualTo("/later/.well-known/openid-configuration")).atPriority(0).willReturn(json(
                "{\"issuer\":\"" + i + "\",\"jwks_uri\":\"" + i + "/keys\"}")));
        idp.stubFor(get(urlEqualTo("/later/keys")).willReturn(json(TestTokens.jwks(idpKey, "k1"))));
        assertEquals("kim", signOnAt(built, "later", i, "/later", c -> { }, rs256(idpKey)).claims()
                .get("preferred_username"));
    }

    // ---- ID tokens signed with the client secret (OIDC Core 10.1) -------------------------------

    static final String LONG_SECRET = "a-client-secret-of-at-least-32-bytes-" + UUID.randomUUID();

    Map<String, Connector> hmacConnector(String algorithms) {
        String c = "gateway.connectors.hs.";
        Map<String, String> p = new HashMap<>();
        p.put(c + "type", "oidc");
        p.put(c + "issuer", issuer());
        p.put(c + "client-id", CLIENT);
        p.put(c + "client-secret", LONG_SECRET);
        if (algorithms != null) {
            p.put(c + "oidc.algorithms", algorithms);
        }
        return build(p);
    }

    static java.util.function.BiFunction<JwtClaims, String, String> hmac(byte[] key, String alg) {
        return (claims, accessToken) -> TestTokens.signHmac(claims, key, alg);
    }

    @Test
    void anIdTokenSignedWithTheClientSecretIsAcceptedWhenConfigured() {
        Map<String, Connector> built = hmacConnector("RS256,HS256");
        byte[] secret = LONG_SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals("kim", signOnAt(built, "hs", issuer(), "/oidc", c -> { }, hmac(secret, "HS256")).claims()
                .get("preferred_username"));
        assertEquals("kim", signOnAt(built, "hs", issuer(), "/oidc", c -> { }, rs256(idpKey)).claims()
                .get("preferred_username"), "RS256 from the JWKS still works");
        assertEquals("signature_invalid", reason(() -> signOnAt(built, "hs", issuer(), "/oidc", c -> { },
                hmac("another-secret-of-at-least-32-bytes-x".getBytes(), "HS256"))));
        // algorithm confusion: the IdP's public key used as an HMAC secret
        assertEquals("signature_invalid", reason(() -> signOnAt(built, "hs", issuer(), "/oidc", c -> { },
                hmac(idpKey.getPublic().getEncoded(), "HS256"))));
        assertEquals("algorithm_not_allowed", reason(() -> signOnAt(built, "hs", issuer(), "/oidc", c -> { },
                hmac(secret, "HS512"))), "only the HMAC algorithms named");
    }

    @Test
    void hmacIsRefusedWhenNotConfigured() {
        Map<String, Connector> built = hmacConnector(null);
        byte[] secret = LONG_SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals("algorithm_not_allowed", reason(() -> signOnAt(built, "hs", issuer(), "/oidc", c -> { },
                hmac(secret, "HS256"))), "signed with the client secret");
        assertEquals("algorithm_not_allowed", reason(() -> signOnAt(built, "hs", issuer(), "/oidc", c -> { },
                hmac(idpKey.getPublic().getEncoded(), "HS256"))), "algorithm confusion with the IdP's public key");
        assertEquals("algorithm_not_allowed", reason(() -> signOnAt(built, "hs", issuer(), "/oidc", c -> { },
                hmac(TestTokens.jwks(idpKey, "k1").getBytes(), "HS256"))), "keyed by the JWKS text");
    }

    // ---- at_hash (OIDC Core 3.1.3.8) ------------------------------------------------------------

    @Test
    void anAtHashMatchingTheAccessTokenIsAccepted() {
        ExternalIdentity identity = signOnAt(connectors, "oidc", issuer(), "/oidc", c -> { }, (claims, accessToken) -> {
            claims.setClaim("at_hash", OidcTokenVerifier.leftHalfHash("RS256", accessToken));
            return TestTokens.signRs256(claims, idpKey, "k1");
        });
        assertEquals("kim", identity.claims().get("preferred_username"));
    }

    @Test
    void anAtHashNotMatchingTheAccessTokenIsRefused() {
        assertEquals("at_hash_invalid", reason(() -> signOnAt(connectors, "oidc", issuer(), "/oidc", c -> { },
                (claims, accessToken) -> {
                    claims.setClaim("at_hash", OidcTokenVerifier.leftHalfHash("RS256", "another-access-token"));
                    return TestTokens.signRs256(claims, idpKey, "k1");
                })));
        assertEquals("at_hash_invalid", reason(() -> signOnAt(connectors, "oidc", issuer(), "/oidc", c -> { },
                (claims, accessToken) -> {
                    claims.setClaim("at_hash", OidcTokenVerifier.leftHalfHash("RS512", accessToken));
                    return TestTokens.signRs256(claims, idpKey, "k1");
                })), "hashed with another algorithm than the token's");
        assertEquals("at_hash_invalid", reason(() -> signOnAt(connectors, "oidc", issuer(), "/oidc", c -> { },
                (claims, accessToken) -> {
                    claims.setClaim("at_hash", 42);
                    return TestTokens.signRs256(claims, idpKey, "k1");
                })), "not a string");
    }

    @Test
    void atHashIsTheLeftHalfOfTheHashBase64url() {
        // OIDC Core A.3 (and the Connect conformance examples): access token jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y
        assertEquals("77QmUPtjPfzWtF2AnpK9RQ",
                OidcTokenVerifier.leftHalfHash("RS256", "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"));
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
