package org.communitysso.gateway.connector.pac4j;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorSettings;
import org.communitysso.gateway.connector.ExternalIdentity;

/**
 * A connector whose protocol work is a pac4j OAuth 2.0 client (types
 * {@code oauth2} and {@code facebook}): they differ only in their client,
 * their default mapping and the parameters of the authorization request.
 */
public final class Pac4jConnector implements Connector {

    private final ConnectorSettings settings;
    private final Pac4jFlow flow;
    private final Map<String, String> defaultMapping;
    private final Map<String, String> extraParameters;
    private final Map<String, String> forceLoginParameters;

    /**
     * @param extraParameters      added to every authorization request
     * @param forceLoginParameters added when the community asks for {@code prompt=login}
     */
    public Pac4jConnector(ConnectorSettings settings, Pac4jFlow flow, Map<String, String> defaultMapping,
            Map<String, String> extraParameters, Map<String, String> forceLoginParameters) {
        this.settings = settings;
        this.flow = flow;
        this.defaultMapping = Map.copyOf(defaultMapping);
        this.extraParameters = Map.copyOf(extraParameters);
        this.forceLoginParameters = Map.copyOf(forceLoginParameters);
    }

    @Override
    public ConnectorSettings settings() {
        return settings;
    }

    @Override
    public Map<String, String> defaultMapping() {
        return defaultMapping;
    }

    @Override
    public SignOnStart start(SignOnRequest request) {
        Map<String, String> parameters = new HashMap<>(extraParameters);
        if (request.forceLogin()) {
            parameters.putAll(forceLoginParameters);
        }
        return flow.start(request, parameters);
    }

    @Override
    public ExternalIdentity complete(Callback callback) {
        return new ExternalIdentity(settings.id(), flow.complete(callback), null, null);
    }

    @Override
    public Optional<String> stateParameter() {
        return Optional.of("state");
    }

    /** The shared return URLs are routed by the sign-on state only. */
    @Override
    public boolean recognises(Callback callback) {
        return false;
    }
}
