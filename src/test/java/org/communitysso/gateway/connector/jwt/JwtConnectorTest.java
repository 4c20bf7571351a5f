package org.communitysso.gateway.connector.jwt;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ExternalIdentity;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.testing.ConnectorConfigs;
import org.communitysso.gateway.testing.InMemoryReplayGuard;
import org.communitysso.gateway.testing.MovableTimeSource;
import org.communitysso.gateway.testing.TestTokens;
import org.jose4j.jws.AlgorithmIdentifiers;
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
 * The token connector on its own (no Quarkus, no database): tokens the test
 * signs with keys it generated, a JWKS from a WireMock server it started, and
 * a table of refusals each with its reason code.
 */
class JwtConnectorTest {

    /** What the edge hands the connector as the value its IdP must echo. */
    private static final String EDGE_STATE = "edge-state-" + java.util.UUID.randomUUID();

    static final String ISSUER = "https://idp.acme.test";
    static final String AUDIENCE = "community";
    static final String PARTNER_ISSUER = "https://idp.partner.test";
    static final String SECRET = "0123456789abcdef0123456789abcdef-unit-test";

    static KeyPair acme;
    static KeyPair acmeNext;
    static KeyPair rogue;
    static KeyPair partner;
    static WireMockServer idp;

    InMemoryReplayGuard replay;
    MovableTimeSource time;
    Map<String, Connector> connectors;

    @BeforeAll
    static void keysAndJwks() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        acme = generator.generateKeyPair();
        acmeNext = generator.generateKeyPair();
        rogue = generator.generateKeyPair();
        partner = generator.generateKeyPair();
        idp = new WireMockServer(options().dynamicPort());
        idp.start();
    }

    @AfterAll
    static void stopIdp() {
        idp.stop();
    }

    @BeforeEach
    void build() {
        idp.resetAll();
        publishPartnerJwks(partner, "partner-1");
        replay = new InMemoryReplayGuard();
        time = new MovableTimeSource();
        String c = "gateway.connectors.";
        Map<String, String> p = new HashMap<>();
        p.put(c + "acme.type", "jwt");
        p.put(c + "acme.sign-on-url", ISSUER + "/sso?brand=community");
        p.put(c + "acme.jwt.public-key", TestTokens.publicPem(acme) + TestTokens.publicPem(acmeNext));
        p.put(c + "acme.jwt.algorithms", "RS256");
        p.put(c + "acme.jwt.issuer", ISSUER);
        p.put(c + "acme.jwt.audience", AUDIENCE);
        p.put(c + "acme.jwt.max-age", "5M");
        p.put(c + "acme.jwt.clock-skew", "30S");
        p.put(c + "partner.type", "jwt");
        p.put(c + "partner.sign-on-url", PARTNER_ISSUER + "/login");
        p.put(c + "partner.jwt.jwks-url", idp.baseUrl() + "/jwks.json");
        p.put(c + "partner.jwt.issuer", PARTNER_ISSUER);
        p.put(c + "partner.jwt.jwks-refetch-interval", "0S");
        p.put(c + "partner.read-timeout", "2S");
        p.put(c + "shared.type", "jwt");
        p.put(c + "shared.sign-on-url", "https://idp.shared.test/login");
        p.put(c + "shared.jwt.shared-secret", SECRET);
        connectors = ConnectorConfigs.build(p, List.of(new JwtConnectorFactory(replay, time)));
    }

    // ---- the one place that speaks the SPI ------------------------------------------------------

    Connector.SignOnStart start(String connector, String gatewayReturnUrl, boolean forceLogin) {
        return connectors.get(connector).start(new Connector.SignOnRequest(gatewayReturnUrl, forceLogin, EDGE_STATE));
    }

    ExternalIdentity complete(String connector, String token) {
        Map<String, String> parameters = new HashMap<>();
        if (token != null) {
            parameters.put("token", token);
        }
        return connectors.get(connector).complete(new Connector.Callback(parameters, Map.of(), true));
    }

    boolean recognises(String connector, String token) {
        return connectors.get(connector).recognises(new Connector.Callback(Map.of("token", token), Map.of(), false));
    }

    String refusal(String connector, String token) {
        return assertThrows(GatewayException.class, () -> complete(connector, token)).reason().code();
    }

    // ---- main path ------------------------------------------------------------------------------

    @Test
    void startSendsTheMemberToTheSignOnUrlWithOnlyTheGatewaysReturnUrl() {
        Connector.SignOnStart started = start("acme", "https://community.example.com/auth/acme/return", false);
        URI redirect = started.redirect();
        assertEquals("idp.acme.test", redirect.getHost());
        assertEquals("/sso", redirect.getPath());
        assertEquals("brand=community&return_url=https://community.example.com/auth/acme/return",
                redirect.getQuery());
        assertTrue(start("acme", "https://community.example.com/auth/acme/return", true).redirect().getQuery()
                .endsWith("&prompt=login"));
    }

    @Test
    void validTokenGivesItsClaims() {
        String id = "m-" + UUID.randomUUID();
        ExternalIdentity identity = complete("acme", sign(acmeClaims(id), acme));
        assertEquals("acme", identity.connectorId());
        assertEquals(id, identity.claims().get("id"));
        assertEquals("kim", identity.claims().get("username"));
        assertEquals("1, 2", identity.claims().get("customRoles"));
        assertNull(identity.idpSessionId());
    }

    @Test
    void bothRolloverKeysAreAccepted() {
        assertEquals("next", complete("acme", sign(acmeClaims("next"), acmeNext)).claims().get("id"));
    }

    @Test
    void sharedSecretConnectorAcceptsHs256() {
        JwtClaims claims = TestTokens.claims("https://idp.shared.test", Map.of("id", "s-1"));
        String token = TestTokens.signHmac(claims, SECRET.getBytes(StandardCharsets.UTF_8),
                AlgorithmIdentifiers.HMAC_SHA256);
        assertEquals("s-1", complete("shared", token).claims().get("id"));
    }

    @Test
    void keysComeFromTheJwksUrl() {
        String token = TestTokens.signRs256(TestTokens.claims(PARTNER_ISSUER, Map.of("id", "p-1")), partner, "partner-1");
        assertEquals("p-1", complete("partner", token).claims().get("id"));
    }

    // ---- refusals -------------------------------------------------------------------------------

    static Stream<Arguments> refusals() {
        return Stream.of(
                refusal("alg none", "algorithm_not_allowed", id -> TestTokens.unsigned(acmeClaims(id))),
                refusal("HS256 keyed with the RSA public key", "algorithm_not_allowed",
                        id -> TestTokens.signHmac(acmeClaims(id), TestTokens.publicPem(acme)
                                .getBytes(StandardCharsets.US_ASCII), AlgorithmIdentifiers.HMAC_SHA256)),
                refusal("signed by another key", "signature_invalid", id -> sign(acmeClaims(id), rogue)),
                refusal("payload tampered after signing", "signature_invalid", id -> {
                    String[] parts = sign(acmeClaims(id), acme).split("\\.");
                    JwtClaims changed = acmeClaims(id);
                    changed.setClaim("customRoles", "1, 2, 3, admin");
                    return parts[0] + "." + TestTokens.b64(changed.toJson()) + "." + parts[2];
                }),
                refusal("expired", "token_expired", id -> {
                    JwtClaims claims = acmeClaims(id);
                    claims.setIssuedAt(NumericDate.fromSeconds(now() - 200));
                    claims.setExpirationTime(NumericDate.fromSeconds(now() - 120));
                    return sign(claims, acme);
                }),
                refusal("nbf in the future", "token_not_yet_valid", id -> {
                    JwtClaims claims = acmeClaims(id);
                    claims.setNotBefore(NumericDate.fromSeconds(now() + 120));
                    return sign(claims, acme);
                }),
                refusal("iat in the future", "token_not_yet_valid", id -> {
                    JwtClaims claims = acmeClaims(id);
                    claims.setIssuedAt(NumericDate.fromSeconds(now() + 120));
                    claims.setExpirationTime(NumericDate.fromSeconds(now() + 240));
                    return sign(claims, acme);
                }),
                refusal("issued longer ago than max-age", "token_too_old", id -> {
                    JwtClaims claims = acmeClaims(id);
                    claims.setIssuedAt(NumericDate.fromSeconds(now() - 600));
                    return sign(claims, acme);
                }),
                refusal("no exp and no iat", "token_malformed", id -> {
                    JwtClaims claims = acmeClaims(id);
                    claims.unsetClaim("exp");
                    claims.unsetClaim("iat");
                    return sign(claims, acme);
                }),
                refusal("long-lived exp without iat", "token_too_old", id -> {
                    JwtClaims claims = acmeClaims(id);
                    claims.unsetClaim("iat");
                    claims.setExpirationTimeMinutesInTheFuture(60 * 24 * 365);
                    return sign(claims, acme);
                }),
                refusal("wrong issuer", "issuer_invalid", id -> {
                    JwtClaims claims = acmeClaims(id);
                    claims.setIssuer("https://idp.evil.test");
                    return sign(claims, acme);
                }),
                refusal("wrong audience", "audience_invalid", id -> {
                    JwtClaims claims = acmeClaims(id);
                    claims.setAudience("another-service");
                    return sign(claims, acme);
                }),
                refusal("oversized token (> 16 KiB)", "token_too_large", id -> {
                    JwtClaims claims = acmeClaims(id);
                    claims.setClaim("padding", "x".repeat(17 * 1024));
                    return sign(claims, acme);
                }),
                refusal("malformed base64", "token_malformed", id -> "eyJhbGciOiJSUzI1NiJ9.!!!not-base64!!!.c2ln"),
                refusal("header is not JSON", "token_malformed",
                        id -> TestTokens.b64("not json") + "." + TestTokens.b64("{\"id\":\"" + id + "\"}") + ".c2ln"),
                refusal("not a JWT at all", "token_malformed", id -> "hello"),
                refusal("empty token", "token_missing", id -> ""),
                refusal("no token parameter", "token_missing", id -> null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refused(String name, String reason, Function<String, String> tokenFor) {
        assertEquals(reason, refusal("acme", tokenFor.apply("attack-" + UUID.randomUUID())));
        assertEquals(0, replay.size(), "a refused token uses up no id");
    }

    @Test
    void aTokenIsSingleUseByJtiAndWithoutJtiByItsHash() {
        String token = sign(acmeClaims("r-1"), acme);
        complete("acme", token);
        assertEquals("replayed", refusal("acme", token));

        JwtClaims noJti = acmeClaims("r-2");
        noJti.unsetClaim("jti");
        String withoutJti = sign(noJti, acme);
        complete("acme", withoutJti);
        assertEquals("replayed", refusal("acme", withoutJti));
    }

    @Test
    void clockSkewIsAllowedButNoMore() {
        String token = sign(acmeClaims("skew"), acme); // exp in 2 minutes
        time.advance(Duration.ofSeconds(120 + 20));
        assertEquals("skew", complete("acme", token).claims().get("id"), "within the 30 s skew");
        String later = sign(acmeClaims("skew-2"), acme);
        time.advance(Duration.ofSeconds(60));
        assertEquals("token_expired", refusal("acme", later));
    }

    @Test
    void hmacConnectorRefusesAnRsaSignedToken() {
        String token = TestTokens.signRs256(TestTokens.claims("https://idp.shared.test", Map.of("id", "x")), acme, null);
        assertEquals("algorithm_not_allowed", refusal("shared", token));
    }

    @Test
    void unknownKidTriggersOneJwksRefetchThenRefusal() {
        complete("partner", TestTokens.signRs256(TestTokens.claims(PARTNER_ISSUER, Map.of("id", "warm")), partner,
                "partner-1"));
        int before = idp.findAll(getRequestedFor(urlEqualTo("/jwks.json"))).size();
        String unknownKid = TestTokens.signRs256(TestTokens.claims(PARTNER_ISSUER, Map.of("id", "x")), rogue,
                "key-nobody-published");
        assertEquals("unknown_key", refusal("partner", unknownKid));
        assertEquals(before + 1, idp.findAll(getRequestedFor(urlEqualTo("/jwks.json"))).size(),
                "exactly one refetch for the unknown kid");
    }

    @Test
    void rotatedJwksKeyIsPickedUpByKid() {
        publishPartnerJwks(rogue, "partner-2");
        String token = TestTokens.signRs256(TestTokens.claims(PARTNER_ISSUER, Map.of("id", "rot")), rogue, "partner-2");
        assertEquals("rot", complete("partner", token).claims().get("id"));
    }

    @Test
    void jwksEndpointDownOrFailingIsIdpUnavailable() {
        idp.stubFor(get(urlEqualTo("/jwks.json")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        String token = TestTokens.signRs256(TestTokens.claims(PARTNER_ISSUER, Map.of("id", "d")), partner, "partner-1");
        assertEquals("idp_unavailable", refusal("partner", token));

        idp.stubFor(get(urlEqualTo("/jwks.json")).willReturn(aResponse().withStatus(503)));
        assertEquals("idp_unavailable", refusal("partner", token));
    }

    @Test
    void recognisesAnAnswerByItsIssuerOnly() {
        assertTrue(recognises("acme", sign(acmeClaims("x"), rogue)), "routing only: the signature is checked later");
        assertFalse(recognises("partner", sign(acmeClaims("x"), acme)));
        assertFalse(recognises("shared", sign(acmeClaims("x"), acme)), "no issuer configured: never recognises");
        assertFalse(recognises("acme", "hello"));
    }

    // ---- tokens ---------------------------------------------------------------------------------

    void publishPartnerJwks(KeyPair key, String kid) {
        idp.stubFor(get(urlEqualTo("/jwks.json")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody(TestTokens.jwks(key, kid))));
    }

    static JwtClaims acmeClaims(String id) {
        JwtClaims claims = TestTokens.claims(ISSUER, Map.of("id", id, "username", "kim", "customRoles", "1, 2"));
        claims.setAudience(AUDIENCE);
        return claims;
    }

    static String sign(JwtClaims claims, KeyPair key) {
        return TestTokens.signRs256(claims, key, null);
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    static Arguments refusal(String name, String reason, Function<String, String> tokenFor) {
        return Arguments.of(name, reason, tokenFor);
    }
}
