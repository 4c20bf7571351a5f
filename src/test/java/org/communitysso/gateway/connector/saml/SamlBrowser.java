package org.communitysso.gateway.connector.saml;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.communitysso.gateway.testing.OAuthBrowser;
import org.communitysso.gateway.testing.SamlTestIdp;
import org.communitysso.gateway.testing.TestIdp;
import org.w3c.dom.Document;

/** The member's browser between the gateway and a SAML IdP. */
final class SamlBrowser {

    /** A started SP-initiated sign-on: the AuthnRequest the IdP received, RelayState and the state cookie. */
    record Started(Document request, String requestId, String relayState, String stateCookie, Map<String, String> query) {
    }

    private SamlBrowser() {
    }

    /** The ACS URL registered for {@code connector} at its IdP: where the IdP posts its answer, its Destination. */
    static String acs(String connector) {
        return TestIdp.registeredReturnUrl(connector);
    }

    /** Like a real IdP: an AuthnRequest asking for an ACS URL that is not the registered one is refused. */
    private static Started checked(String connector, Started started) {
        String asked = started.request().getDocumentElement().getAttribute("AssertionConsumerServiceURL");
        if (!acs(connector).equals(asked)) {
            throw new AssertionError("the IdP refuses the AuthnRequest of " + connector
                    + ": AssertionConsumerServiceURL " + asked + " is not the registered " + acs(connector));
        }
        return started;
    }

    /** HTTP-Redirect binding: follows the gateway's 302 and decodes the AuthnRequest. */
    static Started startRedirect(String connector, String returnUrl) {
        Response login = given().redirects().follow(false).queryParam("return_url", returnUrl)
                .get("/auth/" + connector + "/login");
        if (login.statusCode() != 302) {
            throw new AssertionError("login answered " + login.statusCode());
        }
        Map<String, String> query = OAuthBrowser.query(URI.create(login.header("Location")));
        Document request = SamlTestIdp.parse(SamlTestIdp.inflate(query.get("SAMLRequest")));
        return checked(connector, new Started(request, request.getDocumentElement().getAttribute("ID"),
                query.get("RelayState"), login.getCookie("community_sign_on"), query));
    }

    /** HTTP-POST binding: reads the auto-submitting form. */
    static Started startPost(String connector, String returnUrl) {
        Response login = given().redirects().follow(false).queryParam("return_url", returnUrl)
                .get("/auth/" + connector + "/login");
        if (login.statusCode() != 200) {
            throw new AssertionError("login answered " + login.statusCode());
        }
        Map<String, String> fields = hiddenFields(login.asString());
        Document request = SamlTestIdp.parse(new String(java.util.Base64.getDecoder().decode(fields.get("SAMLRequest")),
                java.nio.charset.StandardCharsets.UTF_8));
        return checked(connector, new Started(request, request.getDocumentElement().getAttribute("ID"),
                fields.get("RelayState"), login.getCookie("community_sign_on"), fields));
    }

    static Map<String, String> hiddenFields(String html) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher matcher = Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"").matcher(html);
        while (matcher.find()) {
            fields.put(matcher.group(1), matcher.group(2).replace("&#43;", "+").replace("&#61;", "=")
                    .replace("&#x2B;", "+").replace("&#x3D;", "=").replace("&amp;", "&"));
        }
        return fields;
    }

    /** The IdP's auto-submitted form arriving at the ACS; {@code stateCookie} null for unsolicited ones. */
    static Response post(String path, String samlResponse, String relayState, String stateCookie) {
        var request = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .accept("application/json").formParam("SAMLResponse", samlResponse);
        if (relayState != null) {
            request.formParam("RelayState", relayState);
        }
        if (stateCookie != null) {
            request.cookie("community_sign_on", stateCookie);
        }
        return request.post(path);
    }
}
