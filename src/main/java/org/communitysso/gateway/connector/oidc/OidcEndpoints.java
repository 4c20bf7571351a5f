package org.communitysso.gateway.connector.oidc;

import java.net.URI;
import java.util.Optional;

/** The IdP's endpoints, from discovery or from configuration (configured ones win). */
record OidcEndpoints(String issuer, URI authorization, URI token, Optional<URI> userInfo, URI jwks,
        Optional<URI> endSession) {
}
