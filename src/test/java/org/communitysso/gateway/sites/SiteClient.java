package org.communitysso.gateway.sites;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.response.Response;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.TestTokens;

/**
 * Stands in for the sites of the test profile ({@code %test.gateway.sites.*}) and the member's
 * browser between them and the gateway.
 */
final class SiteClient {

    static final Map<String, String> SECRETS = Map.of(
            "shop", "shop-secret-test-only-0123456789abcdef",
            "docs", "docs-secret-test-only-0123456789abcdef",
            "events", "events-secret-test-only-0123456789abcdef",
            "vault", "vault-secret-test-only-0123456789abcdef",
            "slow", "slow-secret-test-only-0123456789abcdef",
            "down", "down-secret-test-only-0123456789abcdef");
    static final Map<String, String> ORIGINS = Map.of(
            "shop", "https://shop.example.com",
            "docs", "https://docs.example.com",
            "events", "https://events.example.com:8443",
            "vault", "https://vault.example.com",
            "slow", "https://slow.example.com",
            "down", "https://down.example.com");

    private SiteClient() {
    }

    static String callback(String site) {
        return ORIGINS.get(site) + "/sso/callback?state=s-" + UUID.randomUUID();
    }

    /** The browser arrives at {@code /sso/authorize}, sent there by {@code site}. */
    static Response authorize(String site, String returnUrl, String sessionCookie, String prompt) {
        var request = given().redirects().follow(false).queryParam("site", site).queryParam("return_url", returnUrl);
        if (sessionCookie != null) {
            request.cookie("community_session", sessionCookie);
        }
        if (prompt != null) {
            request.queryParam("prompt", prompt);
        }
        return request.get("/sso/authorize");
    }

    /** A browser's sign-on through {@code site}, with the Acme IdP: its gateway session, cookies and the site's OTT. */
    record SignedOn(String session, String ott, String externalId, Response last) {
    }

    static SignedOn signOnThrough(String site, String returnUrl) {
        String id = "site-" + UUID.randomUUID();
        return signOnThrough(site, returnUrl, id, "m" + id.substring(5, 17).replace("-", ""));
    }

    static SignedOn signOnThrough(String site, String returnUrl, String externalId, String username) {
        Response toSignIn = authorize(site, returnUrl, null, null);
        assertEquals(302, toSignIn.statusCode(), toSignIn.asString());
        String target = parameter(toSignIn.header("Location"), "return_url").orElseThrow();
        String resume = toSignIn.getCookie("community_sso_resume");
        assertNotNull(resume, "the authorize request left its resume cookie");
        Response back = idpSignOn(target, externalId, username);
        assertEquals(target, local(back.header("Location")), "the sign-on comes back to /sso/authorize");
        String session = back.getCookie("community_session");
        Response toSite = given().redirects().follow(false).urlEncodingEnabled(false)
                .cookie("community_session", session).cookie("community_sso_resume", resume).get(target);
        return new SignedOn(session, ott(toSite, returnUrl), externalId, toSite);
    }

    /** The member signs on at the Acme IdP for a sign-on whose target is {@code target}. */
    static Response idpSignOn(String target, String externalId, String username) {
        return idpSignOn(target, externalId, username, null);
    }

    /** As {@link #idpSignOn(String, String, String)}, from a browser that holds {@code sessionCookie}. */
    static Response idpSignOn(String target, String externalId, String username, String sessionCookie) {
        String state = GatewayClient.startSignOn("acme", target);
        var request = given().redirects().follow(false).cookie("community_sign_on", state)
                .queryParam("token", TestTokens.acme(Map.of("id", externalId, "username", username)));
        if (sessionCookie != null) {
            request.cookie("community_session", sessionCookie);
        }
        Response back = request.get("/auth/acme/return");
        assertEquals(302, back.statusCode(), back.asString());
        return back;
    }

    /** The OTT of a redirect to {@code returnUrl}, checking it is exactly that URL plus {@code ott}. */
    static String ott(Response redirect, String returnUrl) {
        assertEquals(302, redirect.statusCode(), redirect.asString());
        String location = redirect.header("Location");
        assertTrue(location.startsWith(returnUrl + "&ott="), location);
        return parameter(location, "ott").orElseThrow();
    }

    /** A redirect to the gateway itself, as path and query (JAX-RS makes Location absolute). */
    static String local(String location) {
        URI uri = URI.create(location);
        return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    static Response exchange(String site, String secret, String ott) {
        return given().redirects().follow(false).header("Authorization", basic(site, secret))
                .contentType("application/x-www-form-urlencoded").formParam("ott", ott).post("/sso/token");
    }

    static Response exchange(String site, String ott) {
        return exchange(site, SECRETS.get(site), ott);
    }

    static Response ssoSession(String site, String ssoSession) {
        return given().header("Authorization", basic(site, SECRETS.get(site))).queryParam("ssoSession", ssoSession)
                .get("/sso/session");
    }

    static String basic(String site, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((site + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    static Optional<String> parameter(String url, String name) {
        String query = URI.create(url).getRawQuery();
        if (query == null) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            String[] nameValue = pair.split("=", 2);
            if (nameValue[0].equals(name)) {
                return Optional.of(URLDecoder.decode(nameValue.length > 1 ? nameValue[1] : "", StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }
}
