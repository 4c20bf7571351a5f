package org.communitysso.gateway.connector;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * What a connector verified: the raw claims or attributes, plus the opaque
 * handles a later sign-off needs (IdP session id, id_token_hint, NameID…).
 */
public record ExternalIdentity(String connectorId, Map<String, Object> claims, String idpSessionId, String signOffHandle) {

    public ExternalIdentity {
        // providers send "field": null for empty fields; Map.copyOf would refuse them
        claims = Collections.unmodifiableMap(new HashMap<>(claims));
    }
}
