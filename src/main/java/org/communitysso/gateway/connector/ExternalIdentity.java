package org.communitysso.gateway.connector;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * What a connector verified: the raw claims or attributes, plus the opaque
 * handles a later sign-off needs (IdP session id, id_token_hint, NameID…).
 * {@code requestedTarget} is where an unsolicited (IdP-initiated) answer asks to
 * go, unchecked: the edge treats it exactly like a return_url.
 */
public record ExternalIdentity(String connectorId, Map<String, Object> claims, String idpSessionId, String signOffHandle,
        String requestedTarget) {

    public ExternalIdentity {
        // providers send "field": null for empty fields; Map.copyOf would refuse them
        claims = Collections.unmodifiableMap(new HashMap<>(claims));
    }

    public ExternalIdentity(String connectorId, Map<String, Object> claims, String idpSessionId, String signOffHandle) {
        this(connectorId, claims, idpSessionId, signOffHandle, null);
    }
}
