package org.communitysso.gateway.connector.facebook;

import java.util.Map;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorSettings;
import org.communitysso.gateway.connector.ExternalIdentity;
import org.communitysso.gateway.connector.pac4j.Pac4jFlow;

/** Facebook Login (SPEC 2.5) through pac4j's FacebookClient. */
final class FacebookConnector implements Connector {

    /** Facebook's fields; the large picture becomes the avatar. The email is absent when the member declines it. */
    private static final Map<String, String> DEFAULT_MAPPING = Map.of(
            "id", "id", "username", "name", "email", "email", "avatar", "picture.data.url");

    private final ConnectorSettings settings;
    private final Pac4jFlow flow;

    FacebookConnector(ConnectorSettings settings, Pac4jFlow flow) {
        this.settings = settings;
        this.flow = flow;
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
        // Facebook's way of asking for the password again
        return flow.start(request, request.forceLogin() ? Map.of("auth_type", "reauthenticate") : Map.of());
    }

    @Override
    public ExternalIdentity complete(Callback callback) {
        return new ExternalIdentity(settings.id(), flow.complete(callback), null, null);
    }

    @Override
    public boolean recognises(Callback callback) {
        return false;
    }

}
