package org.communitysso.gateway.connector.oidc;

import java.net.URI;
import java.util.Optional;

/**
 * The IdP's endpoints, from discovery or from configuration (configured ones win).
 * {@code jwks} is empty with explicit endpoints and no {@code jwks-url}: then the keys
 * come from the issuer's discovery document if it offers them (see {@link OidcProvider#keys()}).
 */
record OidcEndpoints(String issuer, URI authorization, URI token, Optional<URI> userInfo, Optional<URI> jwks,
        Optional<URI> endSession) {
}
