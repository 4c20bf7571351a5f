package org.communitysso.gateway.connector.facebook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ExternalIdentity;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.identity.UserRecord;
import org.communitysso.gateway.identity.UserRecordNormaliser;
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
 * The Facebook connector on its own, against a WireMock Graph API this test
 * starts: the login dialog redirect, the code exchange, the profile call with
 * appsecret_proof, and refusals.
 */
class FacebookConnectorTest {

    /** What the edge hands the connector as the value its IdP must echo. */
    private static final String EDGE_STATE = "edge-state-" + java.util.UUID.randomUUID();

    static final String RETURN = "https://community.example.com/auth/fb/return";
    static final String APP_SECRET = "facebook-app-secret-unit-test";
    static WireMockServer graph;
    Connector connector;

    @BeforeAll
    static void startGraph() {
        graph = new WireMockServer(options().dynamicPort());
        graph.start();
    }

    @AfterAll
    static void stopGraph() {
        graph.stop();
    }

    @BeforeEach
    void build() {
        graph.resetAll();
        String c = "gateway.connectors.fb.";
        Map<String, String> p = new HashMap<>();
        p.put(c + "type", "facebook");
        p.put(c + "client-id", "1234567890");
        p.put(c + "client-secret", APP_SECRET);
        p.put(c + "read-timeout", "1S");
        p.put(c + "facebook.graph-api-url", graph.baseUrl() + "/graph");
        p.put(c + "facebook.dialog-url", graph.baseUrl() + "/dialog/");
        connector = ConnectorConfigs.build(p, List.of(new FacebookConnectorFactory())).get("fb");
    }

    // ---- the one place that speaks the SPI ------------------------------------------------------

    record Started(java.net.URI redirect, Map<String, String> query, Map<String, String> protocolData) {
        String state() {
            return query.get("state");
        }
    }

    Started start(boolean forceLogin) {
        Connector.SignOnStart start = connector.start(new Connector.SignOnRequest(RETURN, forceLogin, EDGE_STATE));
        return new Started(start.redirect(), TestOidc.query(start.redirect()), start.protocolData());
    }

    ExternalIdentity complete(Started started, Map<String, String> parameters) {
        return connector.complete(new Connector.Callback(parameters, started.protocolData(), true));
    }

    String refusal(Started started, Map<String, String> parameters) {
        return assertThrows(GatewayException.class, () -> complete(started, parameters)).reason().code();
    }

    // ---- the Graph API --------------------------------------------------------------------------

    void token(String code, ResponseDefinitionBuilder answer) {
        graph.stubFor(any(urlPathEqualTo("/graph/v23.0/oauth/access_token")).withQueryParam("code", equalTo(code))
                .willReturn(answer));
    }

    static ResponseDefinitionBuilder accessToken(String token) {
        return aResponse().withHeader("Content-Type", "application/json")
                .withBody("{\"access_token\":\"" + token + "\",\"token_type\":\"bearer\",\"expires_in\":5183944}");
    }

    /** Answers only a profile request whose appsecret_proof is right for the access token. */
    void profile(String token, ResponseDefinitionBuilder answer) {
        graph.stubFor(get(urlPathEqualTo("/graph/v23.0/me"))
                .withQueryParam("appsecret_proof", equalTo(GraphApiStandIn.hmacSha256Hex(APP_SECRET, token)))
                .willReturn(answer));
    }

    static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    // ---- main path ------------------------------------------------------------------------------

    @Test
    void startSendsTheMemberToTheLoginDialog() {
        Started started = start(false);
        assertEquals("/dialog/v23.0/dialog/oauth", started.redirect().getPath());
        assertEquals("1234567890", started.query().get("client_id"));
        assertEquals(RETURN, started.query().get("redirect_uri"));
        assertEquals("public_profile,email", started.query().get("scope"));
        assertEquals(EDGE_STATE, started.state(), "the state is exactly the one the edge gave");
        assertFalse(started.query().containsKey("auth_type"));
        assertEquals("reauthenticate", start(true).query().get("auth_type"));
    }

    @Test
    void signOnGivesTheProfileWhichMapsToTheUserRecord() {
        Started started = start(false);
        token("c1", accessToken("at-1"));
        profile("at-1", json(200, "{\"id\":\"1001\",\"name\":\"Kim Lee\",\"email\":\"kim@mail.test\","
                + "\"picture\":{\"data\":{\"url\":\"https://graph.test/pic.jpg\"}}}"));
        ExternalIdentity identity = complete(started, Map.of("code", "c1", "state", started.state()));
        UserRecord record = new UserRecordNormaliser().normalise(connector, identity);
        assertEquals(new UserRecord("1001", "Kim Lee", "kim@mail.test", null, "https://graph.test/pic.jpg"), record);
    }

    @Test
    void aMemberWhoDeclinedTheEmailSignsOnWithoutOne() {
        Started started = start(false);
        token("c2", accessToken("at-2"));
        profile("at-2", json(200, "{\"id\":\"1002\",\"name\":\"Kim Lee\"}"));
        UserRecord record = new UserRecordNormaliser().normalise(connector,
                complete(started, Map.of("code", "c2", "state", started.state())));
        assertEquals("1002", record.id());
        assertEquals(null, record.email(), "no email, and no refusal: the community decides whether to ask");
    }

    // ---- refusals -------------------------------------------------------------------------------

    @Test
    void answerRefusals() {
        Started started = start(false);
        assertEquals("state_invalid", refusal(started, Map.of("code", "c", "state", "forged")));
        assertEquals("state_invalid", assertThrows(GatewayException.class, () -> connector.complete(
                new Connector.Callback(Map.of("code", "c", "state", started.state()), Map.of(), false)))
                .reason().code(), "no sign-on started here");
        assertEquals("idp_error", refusal(started, Map.of("error", "access_denied",
                "error_reason", "user_denied", "state", started.state())));
    }

    static Stream<Arguments> graphFailures() {
        return Stream.of(
                fails("code already used", "idp_error", json(400, "{\"error\":{\"message\":\"This authorization code"
                        + " has been used.\",\"type\":\"OAuthException\",\"code\":100}}"), null),
                fails("code refused without fbtrace_id or JSON", "idp_error", aResponse().withStatus(400)
                        .withBody("Bad Request"), null),
                fails("token call: 500 with an empty body", "idp_unavailable", aResponse().withStatus(500), null),
                fails("token call: 503 with Facebook's error JSON", "idp_unavailable", json(503, "{\"error\":{"
                        + "\"message\":\"An unexpected error has occurred. Please retry your request later.\","
                        + "\"type\":\"OAuthException\",\"is_transient\":true,\"code\":2,"
                        + "\"fbtrace_id\":\"AbCdEf\"}}"), null),
                fails("token call: 500 with Facebook's error JSON, no fbtrace_id", "idp_unavailable",
                        json(500, "{\"error\":{\"message\":\"Service temporarily unavailable\","
                                + "\"type\":\"OAuthException\",\"code\":2}}"), null),
                fails("token call: 502 HTML page from a proxy", "idp_unavailable", aResponse().withStatus(502)
                        .withHeader("Content-Type", "text/html").withBody("<html><body>Bad Gateway</body></html>"),
                        null),
                fails("token call: connection reset", "idp_unavailable",
                        aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), null),
                fails("profile: wrong appsecret_proof or token", "idp_error", accessToken("at-x"), null),
                fails("profile: 503", "idp_unavailable", accessToken("at-x"), aResponse().withStatus(503)),
                fails("profile: slower than the read timeout", "idp_unavailable", accessToken("at-x"),
                        json(200, "{\"id\":\"1\"}").withFixedDelay(3_000)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graphFailures")
    void graphFailureIsRefused(String name, String reason, ResponseDefinitionBuilder tokenAnswer,
            ResponseDefinitionBuilder profileAnswer) {
        graph.stubFor(get(urlPathEqualTo("/graph/v23.0/me")).atPriority(10)
                .willReturn(json(400, "{\"error\":{\"message\":\"Invalid appsecret_proof\",\"code\":100}}")));
        Started started = start(false);
        token("bad", tokenAnswer);
        if (profileAnswer != null) {
            profile("at-x", profileAnswer);
        }
        assertEquals(reason, refusal(started, Map.of("code", "bad", "state", started.state())));
    }

    static Arguments fails(String name, String reason, ResponseDefinitionBuilder token,
            ResponseDefinitionBuilder profile) {
        return Arguments.of(name, reason, token, profile);
    }
}
