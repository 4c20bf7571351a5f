package org.communitysso.gateway.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.WireMock;
import io.restassured.response.Response;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jose4j.jwt.JwtClaims;

/** The stand-in OpenID Connect IdP's side of a sign-on: what it receives and what it answers. */
public final class TestOidc {

    private TestOidc() {
    }

    /** What the gateway sent the browser to the IdP with. */
    public record Login(URI authorization, Map<String, String> query, String stateCookie) {
        public String state() {
            return query.get("state");
        }

        public String nonce() {
            return query.get("nonce");
        }
    }

    public static WireMock idp() {
        return new WireMock("localhost", port());
    }

    public static int port() {
        return ConfigProvider.getConfig().getValue("test.wiremock.port", Integer.class);
    }

    /** oidc-a and oidc-b live at {@code http://localhost:<port>/<connector>}. */
    public static String issuer(String connector) {
        return "http://localhost:" + port() + "/" + connector;
    }

    public static String clientId(String connector) {
        return connector.equals("oidc-a") ? TestIdp.OIDC_A_CLIENT : TestIdp.OIDC_B_CLIENT;
    }

    public static String kid(String connector) {
        return connector.equals("oidc-a") ? TestIdp.OIDC_A_KID : TestIdp.OIDC_B_KID;
    }

    public static Login login(String connector, String returnUrl, String prompt) {
        var request = given().redirects().follow(false).queryParam("return_url", returnUrl);
        if (prompt != null) {
            request.queryParam("prompt", prompt);
        }
        Response response = request.get("/auth/" + connector + "/login");
        if (response.statusCode() != 302) {
            throw new AssertionError("login answered " + response.statusCode() + ": " + response.asString());
        }
        URI location = URI.create(response.header("Location"));
        Map<String, String> query = query(location);
        refuseUnregisteredRedirectUri(connector, query.get("redirect_uri"));
        return new Login(location, query, response.getCookie("community_sign_on"));
    }

    /** Like a real IdP: an authorization request whose redirect_uri is not the registered one is refused. */
    public static void refuseUnregisteredRedirectUri(String connector, String redirectUri) {
        String registered = TestIdp.registeredReturnUrl(connector);
        if (!registered.equals(redirectUri)) {
            throw new AssertionError("the IdP refuses the authorization request of " + connector + ": redirect_uri "
                    + redirectUri + " is not the registered " + registered);
        }
    }

    /** The claims a well-behaved IdP puts in the ID token for this sign-on. */
    public static JwtClaims idClaims(String connector, String nonce, String sub) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer(connector));
        claims.setAudience(clientId(connector));
        claims.setSubject(sub);
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(5);
        claims.setClaim("nonce", nonce);
        claims.setClaim("sid", "sid-" + UUID.randomUUID());
        return claims;
    }

    public static String sign(String connector, JwtClaims claims) {
        return TestTokens.signRs256(claims, TestTokens.key(connector), kid(connector));
    }

    /**
     * The token endpoint answers this code (once stubbed, every time: the IdP's own reuse check is not ours),
     * only with the registered redirect_uri, as OAuth 2.0 (RFC 6749 4.1.3) requires of the IdP.
     */
    public static void stubToken(String connector, String code, String idToken, String accessToken) {
        idp().register(post(urlEqualTo("/" + connector + "/token"))
                .withRequestBody(WireMock.matching("(.*&)?code=" + code + "(&.*)?"))
                .withFormParam("redirect_uri", equalTo(TestIdp.registeredReturnUrl(connector)))
                .willReturn(aResponse().withHeader("Content-Type", "application/json")
                        .withBody(json(Map.of("access_token", accessToken, "token_type", "Bearer", "expires_in", 300,
                                "id_token", idToken)))));
    }

    public static void stubUserInfo(String connector, String accessToken, Map<String, Object> claims) {
        idp().register(get(urlEqualTo("/" + connector + "/userinfo"))
                .withHeader("Authorization", equalTo("Bearer " + accessToken))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(json(claims))));
    }

    /** The IdP's redirect back to the gateway. */
    public static Response back(String path, Map<String, String> parameters, String stateCookie) {
        var request = given().redirects().follow(false).queryParams(parameters);
        if (stateCookie != null) {
            request.cookie("community_sign_on", stateCookie);
        }
        return request.get(path);
    }

    /**
     * A whole sign-on: login, the IdP signs {@code sub} in with an ID token made
     * from {@code claims} (already holding the nonce) and userinfo, and returns.
     */
    public static Response signOn(String connector, String sub, Map<String, Object> idTokenExtra,
            Map<String, Object> userInfo, String target) {
        Login login = login(connector, target, null);
        JwtClaims claims = idClaims(connector, login.nonce(), sub);
        idTokenExtra.forEach(claims::setClaim);
        String code = "code-" + UUID.randomUUID();
        String accessToken = "at-" + UUID.randomUUID();
        stubToken(connector, code, sign(connector, claims), accessToken);
        Map<String, Object> info = new HashMap<>(userInfo);
        info.putIfAbsent("sub", sub);
        stubUserInfo(connector, accessToken, info);
        return back("/auth/" + connector + "/return", Map.of("code", code, "state", login.state()), login.stateCookie());
    }

    public static Map<String, String> query(URI uri) {
        Map<String, String> values = new HashMap<>();
        if (uri.getRawQuery() == null) {
            return values;
        }
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

    public static String json(Object value) {
        try {
            return new ObjectMapper().writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
