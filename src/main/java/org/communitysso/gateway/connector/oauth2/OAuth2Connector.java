package org.communitysso.gateway.connector.oauth2;

import java.util.HashMap;
import java.util.Map;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorSettings;
import org.communitysso.gateway.connector.ExternalIdentity;
import org.communitysso.gateway.connector.pac4j.Pac4jFlow;

/**
 * OAuth 2.0 providers that do not follow OIDC (SPEC 2.2): authorization code
 * flow through pac4j, the profile JSON read through the connector's mapping.
 */
final class OAuth2Connector implements Connector {

    /** Common names; most providers need a mapping anyway. */
    private static final Map<String, String> DEFAULT_MAPPING = Map.of(
            "id", "id", "username", "username", "email", "email", "custom-roles", "customRoles", "avatar", "avatar");

    private final ConnectorSettings settings;
    private final Pac4jFlow flow;
    private final Map<String, String> extraParameters;

    OAuth2Connector(ConnectorSettings settings, Pac4jFlow flow, Map<String, String> extraParameters) {
        this.settings = settings;
        this.flow = flow;
        this.extraParameters = Map.copyOf(extraParameters);
    }

    @Override
    public ConnectorSettings settings() {
        return settings;
    }

    @Override
    public Map<String, String> defaultMapping() {
        return DEFAULT_MAPPING;
    }

    @Override
    public SignOnStart start(SignOnRequest request) {
        Map<String, String> parameters = new HashMap<>(extraParameters);
        if (request.forceLogin()) {
            parameters.put("prompt", "login");
        }
        return flow.start(request, parameters);
    }

    @Override
    public ExternalIdentity complete(Callback callback) {
        return new ExternalIdentity(settings.id(), flow.complete(callback), null, null);
    }

    /** The shared /auth/oauth2/return is routed by the sign-on state only. */
    @Override
    public boolean recognises(Callback callback) {
        return false;
    }

}
