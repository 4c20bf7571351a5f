package org.communitysso.gateway.testing;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The browser's side of an authorization-code sign-on: follow the gateway to the provider and come back. */
public final class OAuthBrowser {

    public record Started(URI authorizeUrl, Map<String, String> query, String stateCookie) {
        public String state() {
            return query.get("state");
        }
    }

    private OAuthBrowser() {
    }

    public static Started login(String connector, String returnUrl, String... extra) {
        var request = given().redirects().follow(false).queryParam("return_url", returnUrl);
        for (int i = 0; i + 1 < extra.length; i += 2) {
            request.queryParam(extra[i], extra[i + 1]);
        }
        Response response = request.get("/auth/" + connector + "/login");
        if (response.statusCode() != 302) {
            throw new AssertionError("login answered " + response.statusCode() + ": " + response.asString());
        }
        URI location = URI.create(response.header("Location"));
        Map<String, String> query = query(location);
        // the provider only sends members back to the registered redirect URI
        TestOidc.refuseUnregisteredRedirectUri(connector, query.get("redirect_uri"));
        return new Started(location, query, response.getCookie("community_sign_on"));
    }

    /** The provider redirects back with these parameters; the browser brings its sign-on cookie. */
    public static Response back(String path, String stateCookie, String... parameters) {
        var request = given().redirects().follow(false);
        if (stateCookie != null) {
            request.cookie("community_sign_on", stateCookie);
        }
        for (int i = 0; i + 1 < parameters.length; i += 2) {
            request.queryParam(parameters[i], parameters[i + 1]);
        }
        return request.get(path);
    }

    public static Map<String, String> query(URI uri) {
        Map<String, String> values = new LinkedHashMap<>();
        if (uri.getRawQuery() == null) {
            return values;
        }
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            values.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

    public static Map<String, String> form(String body) {
        return query(URI.create("http://x/?" + body));
    }
}
