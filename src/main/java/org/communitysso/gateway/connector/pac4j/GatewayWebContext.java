package org.communitysso.gateway.connector.pac4j;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pac4j.core.context.Cookie;
import org.pac4j.core.context.WebContext;

/**
 * The slice of an HTTP exchange pac4j needs, built from what the gateway's
 * edge already parsed: the IdP's parameters and our callback URL. Nothing is
 * written back to the member's browser (no cookies, no headers): the sign-on
 * state travels in the gateway's own state.
 */
final class GatewayWebContext implements WebContext {

    private final Map<String, String> parameters;
    private final String callbackUrl;
    private final Map<String, Object> attributes = new HashMap<>();

    GatewayWebContext(Map<String, String> parameters, String callbackUrl) {
        this.parameters = Map.copyOf(parameters);
        this.callbackUrl = callbackUrl;
    }

    String callbackUrl() {
        return callbackUrl;
    }

    @Override
    public Optional<String> getRequestParameter(String name) {
        return Optional.ofNullable(parameters.get(name));
    }

    @Override
    public Map<String, String[]> getRequestParameters() {
        Map<String, String[]> all = new HashMap<>();
        parameters.forEach((name, value) -> all.put(name, new String[] {value}));
        return all;
    }

    @Override
    public Optional getRequestAttribute(String name) {
        return Optional.ofNullable(attributes.get(name));
    }

    @Override
    public void setRequestAttribute(String name, Object value) {
        attributes.put(name, value);
    }

    @Override
    public Optional<String> getRequestHeader(String name) {
        return Optional.empty();
    }

    @Override
    public String getRequestMethod() {
        return "GET";
    }

    @Override
    public String getRemoteAddr() {
        return "";
    }

    @Override
    public void setResponseHeader(String name, String value) {
        // the gateway's edge writes the response
    }

    @Override
    public Optional<String> getResponseHeader(String name) {
        return Optional.empty();
    }

    @Override
    public void setResponseContentType(String content) {
        // the gateway's edge writes the response
    }

    @Override
    public String getServerName() {
        return java.net.URI.create(callbackUrl).getHost();
    }

    @Override
    public int getServerPort() {
        return java.net.URI.create(callbackUrl).getPort();
    }

    @Override
    public String getScheme() {
        return java.net.URI.create(callbackUrl).getScheme();
    }

    @Override
    public boolean isSecure() {
        return "https".equals(getScheme());
    }

    @Override
    public String getFullRequestURL() {
        return callbackUrl;
    }

    @Override
    public Collection<Cookie> getRequestCookies() {
        return List.of();
    }

    @Override
    public void addResponseCookie(Cookie cookie) {
        // no protocol cookie is ever left with the member
    }

    @Override
    public String getPath() {
        return java.net.URI.create(callbackUrl).getPath();
    }
}
