package org.communitysso.gateway.connector.pac4j;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.pac4j.core.context.WebContext;
import org.pac4j.core.context.session.SessionStore;

/**
 * pac4j's "session" for one sign-on: the values it keeps between the redirect
 * and the callback (its state, our PKCE verifier) go into the gateway's
 * sign-on state, so no session cookie of pac4j's exists.
 */
final class StateSessionStore implements SessionStore {

    private final Map<String, String> values;

    StateSessionStore(Map<String, String> initial) {
        this.values = new HashMap<>(initial);
    }

    Map<String, String> values() {
        return Map.copyOf(values);
    }

    @Override
    public Optional<String> getSessionId(WebContext context, boolean createSession) {
        return Optional.of("sign-on-state");
    }

    @Override
    public Optional<Object> get(WebContext context, String key) {
        return Optional.ofNullable(values.get(key));
    }

    @Override
    public void set(WebContext context, String key, Object value) {
        if (value == null) {
            values.remove(key);
        } else {
            values.put(key, value.toString());
        }
    }

    @Override
    public boolean destroySession(WebContext context) {
        values.clear();
        return true;
    }

    @Override
    public Optional<Object> getTrackableSession(WebContext context) {
        return Optional.empty();
    }

    @Override
    public Optional<SessionStore> buildFromTrackableSession(WebContext context, Object trackableSession) {
        return Optional.empty();
    }

    @Override
    public boolean renewSession(WebContext context) {
        return true;
    }
}
