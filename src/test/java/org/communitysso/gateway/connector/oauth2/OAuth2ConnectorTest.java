package org.communitysso.gateway.connector.oauth2;

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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ExternalIdentity;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.testing.ConnectorConfigs;
import org.communitysso.gateway.testing.TestOidc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The OAuth2 connector (pac4j underneath) on its own, against a WireMock
 * provider this test starts: the authorization request, the code exchange,
 * the profile call, and a table of provider answers that must be refused.
 */
class OAuth2ConnectorTest {

    /** What the edge hands the connector as the value its IdP must echo. */
    private static final String EDGE_STATE = "edge-state-" + java.util.UUID.randomUUID();

    static final String RETURN = "https://community.example.com/auth/hub/return";
    static WireMockServer idp;
    Map<String, Connector> connectors;

    @BeforeAll
    static void startIdp() {
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
        String wm = idp.baseUrl();
        String c = "gateway.connectors.";
        Map<String, String> p = new HashMap<>();
        p.put(c + "hub.type", "oauth2");
        p.put(c + "hub.client-id", "hub-client");
        p.put(c + "hub.client-secret", "hub-secret");
        p.put(c + "hub.scope", "read:user");
        p.put(c + "hub.authorization-url", wm + "/hub/authorize");
        p.put(c + "hub.token-url", wm + "/hub/token");
        p.put(c + "hub.user-info-url", wm + "/hub/user");
        p.put(c + "hub.read-timeout", "1S");
        p.put(c + "forum.type", "oauth2");
        p.put(c + "forum.client-id", "forum-client");
        p.put(c + "forum.client-secret", "forum-secret");
        p.put(c + "forum.authorization-url", wm + "/forum/authorize?tenant=acme");
        p.put(c + "forum.token-url", wm + "/forum/token");
        p.put(c + "forum.user-info-url", wm + "/forum/me");
        p.put(c + "forum.oauth2.client-authentication", "post");
        p.put(c + "forum.oauth2.profile-method", "POST");
        p.put(c + "forum.oauth2.pkce", "false");
        p.put(c + "forum.oauth2.extra-parameters.audience", "community");
        connectors = ConnectorConfigs.build(p, List.of(new OAuth2ConnectorFactory()));
    }

    // ---- the one place that speaks the SPI ------------------------------------------------------

    record Started(String connector, Map<String, String> query, Map<String, String> protocolData) {
        String state() {
            return query.get("state");
        }
    }

    Started start(String connector, boolean forceLogin) {
        Connector.SignOnStart start = connectors.get(connector).start(new Connector.SignOnRequest(RETURN, forceLogin, EDGE_STATE));
        return new Started(connector, TestOidc.query(start.redirect()), start.protocolData());
    }

    ExternalIdentity complete(Started started, Map<String, String> parameters, boolean solicited) {
        return connectors.get(started.connector()).complete(new Connector.Callback(parameters,
                solicited ? started.protocolData() : Map.of(), solicited));
    }

    ExternalIdentity back(Started started, String code) {
        return complete(started, Map.of("code", code, "state", started.state()), true);
    }

    String refusal(Started started, Map<String, String> parameters) {
        return assertThrows(GatewayException.class, () -> complete(started, parameters, true)).reason().code();
    }

    // ---- the provider ---------------------------------------------------------------------------

    void token(String path, String code, ResponseDefinitionBuilder answer) {
        idp.stubFor(post(urlEqualTo(path)).withRequestBody(containing("code=" + code)).willReturn(answer));
    }

    static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    static ResponseDefinitionBuilder accessToken(String token) {
        return json(200, "{\"access_token\":\"" + token + "\",\"token_type\":\"bearer\",\"expires_in\":3600}");
    }

    void profile(String token, ResponseDefinitionBuilder answer) {
        idp.stubFor(get(urlEqualTo("/hub/user")).withHeader("Authorization", equalTo("Bearer " + token))
                .willReturn(answer));
    }

    static final String PROFILE = "{\"data\":{\"account\":{\"id\":\"42\",\"login\":\"octo\",\"avatar_url\":null},"
            + "\"emails\":[{\"address\":\"octo@hub.test\"}]},\"plan\":null}";

    // ---- main path ------------------------------------------------------------------------------

    @Test
    void startSendsAnAuthorizationRequestWithStateAndPkce() {
        Started started = start("hub", false);
        assertEquals("code", started.query().get("response_type"));
        assertEquals("hub-client", started.query().get("client_id"));
        assertEquals(RETURN, started.query().get("redirect_uri"));
        assertEquals("read:user", started.query().get("scope"));
        assertEquals("S256", started.query().get("code_challenge_method"));
        assertEquals(EDGE_STATE, started.state(), "the state is exactly the one the edge gave");
        assertFalse(started.query().containsKey("prompt"));
        assertEquals("login", start("hub", true).query().get("prompt"));
    }

    @Test
    void signOnGivesTheWholeProfileJson() throws Exception {
        Started started = start("hub", false);
        token("/hub/token", "c1", accessToken("at-1"));
        profile("at-1", json(200, PROFILE));
        ExternalIdentity identity = back(started, "c1");
        assertEquals("hub", identity.connectorId());
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) identity.claims().get("data");
        assertEquals(Map.of("id", "42", "login", "octo"), withoutNulls((Map<?, ?>) data.get("account")));
        assertNull(identity.claims().get("plan"), "null fields are kept as absent, not refused");

        String body = idp.findAll(postRequestedFor(urlEqualTo("/hub/token"))).get(0).getBodyAsString();
        String verifier = TestOidc.query(java.net.URI.create("https://x.test/?" + body)).get("code_verifier");
        assertEquals(started.query().get("code_challenge"), Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII))));
        assertEquals("Basic " + Base64.getEncoder().encodeToString("hub-client:hub-secret".getBytes(
                StandardCharsets.UTF_8)), idp.findAll(postRequestedFor(urlEqualTo("/hub/token"))).get(0)
                .getHeader("Authorization"));
    }

    @Test
    void clientSecretInTheBodyAPostProfileAndExtraParameters() {
        Started started = start("forum", false);
        assertEquals("acme", started.query().get("tenant"));
        assertEquals("community", started.query().get("audience"));
        assertFalse(started.query().containsKey("code_challenge"), "pkce=false");
        token("/forum/token", "f1", accessToken("at-f"));
        idp.stubFor(post(urlEqualTo("/forum/me")).withHeader("Authorization", equalTo("Bearer at-f"))
                .willReturn(json(200, "{\"id\":\"7\"}")));
        assertEquals("7", back(started, "f1").claims().get("id"));
        String body = idp.findAll(postRequestedFor(urlEqualTo("/forum/token"))).get(0).getBodyAsString();
        assertTrue(body.contains("client_secret=forum-secret"), body);
    }

    @Test
    void aFormEncodedTokenAnswerIsAccepted() {
        Started started = start("hub", false);
        token("/hub/token", "c2", aResponse().withHeader("Content-Type", "application/x-www-form-urlencoded")
                .withBody("access_token=at-2&scope=read%3Auser&token_type=bearer"));
        profile("at-2", json(200, PROFILE));
        assertTrue(back(started, "c2").claims().containsKey("data"));
    }

    // ---- refusals -------------------------------------------------------------------------------

    @Test
    void answerRefusals() {
        Started started = start("hub", false);
        assertEquals("state_invalid", refusal(started, Map.of("code", "c", "state", "forged")));
        assertEquals("state_invalid", refusal(started, Map.of("code", "c")));
        assertEquals("state_invalid", assertThrows(GatewayException.class,
                () -> complete(started, Map.of("code", "c", "state", started.state()), false)).reason().code(),
                "no sign-on started here");
        assertEquals("state_invalid", refusal(started, Map.of("error", "access_denied", "state", "forged")),
                "an error answer with a forged state is a state problem");
        GatewayException denied = assertThrows(GatewayException.class, () -> complete(started,
                Map.of("error", "access_denied", "state", started.state()), true));
        assertEquals("idp_error", denied.reason().code());
        assertEquals("The identity provider answered: access_denied.", denied.memberDetail());
        assertEquals("idp_error", refusal(started, Map.of("state", started.state())), "no code");
    }

    static Stream<Arguments> providerFailures() {
        return Stream.of(
                fails("token endpoint: invalid_grant", "code_invalid",
                        json(400, "{\"error\":\"invalid_grant\"}"), null),
                fails("token endpoint: form-encoded error for a used code", "code_invalid",
                        aResponse().withHeader("Content-Type", "application/x-www-form-urlencoded")
                                .withBody("error=bad_verification_code&error_description=used"), null),
                fails("token endpoint: invalid_client", "idp_error", json(401, "{\"error\":\"invalid_client\"}"), null),
                fails("token endpoint: 503", "idp_unavailable", aResponse().withStatus(503).withBody("maintenance"),
                        null),
                fails("token endpoint: connection reset", "idp_unavailable",
                        aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), null),
                fails("token endpoint: slower than the read timeout", "idp_unavailable",
                        accessToken("at-x").withFixedDelay(3_000), null),
                fails("profile: 401", "idp_error", accessToken("at-x"),
                        json(401, "{\"message\":\"Bad credentials\"}")),
                fails("profile: 502", "idp_unavailable", accessToken("at-x"), aResponse().withStatus(502)),
                fails("profile: not JSON", "profile_invalid", accessToken("at-x"),
                        aResponse().withHeader("Content-Type", "text/html").withBody("<html>maintenance</html>")),
                fails("profile: slower than the read timeout", "idp_unavailable", accessToken("at-x"),
                        json(200, PROFILE).withFixedDelay(3_000)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providerFailures")
    void providerFailureIsRefused(String name, String reason, ResponseDefinitionBuilder tokenAnswer,
            ResponseDefinitionBuilder profileAnswer) {
        Started started = start("hub", false);
        token("/hub/token", "bad", tokenAnswer);
        if (profileAnswer != null) {
            profile("at-x", profileAnswer);
        }
        assertEquals(reason, refusal(started, Map.of("code", "bad", "state", started.state())));
    }

    static Arguments fails(String name, String reason, ResponseDefinitionBuilder token,
            ResponseDefinitionBuilder profile) {
        return Arguments.of(name, reason, token, profile);
    }

    @Test
    void neverRecognisesAnAnswerAtTheSharedReturnUrl() {
        assertFalse(connectors.get("hub").recognises(new Connector.Callback(Map.of("code", "c", "state", "s"),
                Map.of(), false)));
    }

    private static Map<Object, Object> withoutNulls(Map<?, ?> map) {
        Map<Object, Object> copy = new HashMap<>();
        map.forEach((k, v) -> {
            if (v != null) {
                copy.put(k, v);
            }
        });
        return copy;
    }
}
