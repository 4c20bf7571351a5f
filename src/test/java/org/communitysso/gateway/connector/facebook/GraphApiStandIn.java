package org.communitysso.gateway.connector.facebook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.client.WireMock;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.communitysso.gateway.testing.OAuthBrowser;
import org.communitysso.gateway.testing.TestIdp;

/** The Graph API stand-in (WireMock) and a member's trip through Facebook Login. */
record GraphApiStandIn(WireMock graph) {

    /** Login at the gateway, "consent" at Facebook, and the redirect back with a code. */
    Response signOn(String fbId, String profileJson) {
        String accessToken = "fb-at-" + fbId;
        String code = "fb-code-" + fbId;
        stubToken(code, accessToken);
        stubProfile(accessToken, profileJson);
        OAuthBrowser.Started started = OAuthBrowser.login("fb", "/");
        return OAuthBrowser.back("/auth/fb/return", started.stateCookie(), "code", code, "state", started.state());
    }

    void stubToken(String code, String accessToken) {
        stubToken("fb", code, accessToken);
    }

    /** The code exchange answers only with the redirect_uri registered for {@code connector}'s app, as Facebook does. */
    void stubToken(String connector, String code, String accessToken) {
        String body = "{\"access_token\":\"" + accessToken + "\",\"token_type\":\"bearer\",\"expires_in\":5183944}";
        String redirectUri = TestIdp.registeredReturnUrl(connector);
        graph.register(any(urlPathEqualTo("/graph/v23.0/oauth/access_token")).withQueryParam("code", equalTo(code))
                .withQueryParam("redirect_uri", equalTo(redirectUri))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(body)));
        graph.register(any(urlPathEqualTo("/graph/v23.0/oauth/access_token"))
                .withRequestBody(WireMock.containing("code=" + code))
                .withFormParam("redirect_uri", equalTo(redirectUri))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(body)));
    }

    /** Answers only a profile request whose appsecret_proof is right for this access token. */
    void stubProfile(String accessToken, String body) {
        graph.register(get(urlPathEqualTo("/graph/v23.0/me"))
                .withQueryParam("appsecret_proof", equalTo(hmacSha256Hex(TestIdp.FACEBOOK_APP_SECRET, accessToken)))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(body)));
    }

    static String hmacSha256Hex(String key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
