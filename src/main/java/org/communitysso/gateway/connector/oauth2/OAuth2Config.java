package org.communitysso.gateway.connector.oauth2;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithDefaults;
import io.smallrye.config.WithParentName;
import java.util.Map;
import java.util.Optional;

/** The oauth2 connector's own keys under {@code gateway.connectors.<id>}: endpoints, client, {@code oauth2.*}. */
@ConfigMapping(prefix = "gateway.connectors")
public interface OAuth2Config {

    /** By connector id; an id without any of these keys reads the defaults. */
    @WithParentName
    @WithDefaults
    Map<String, Entry> connectors();

    interface Entry {
        Optional<String> authorizationUrl();

        Optional<String> tokenUrl();

        Optional<String> userInfoUrl();

        Optional<String> clientId();

        Optional<String> clientSecret();

        Optional<String> scope();

        Keys oauth2();
    }

    interface Keys {
        /** GET or POST for the profile (user-info) request. */
        @WithDefault("GET")
        String profileMethod();

        /** basic (HTTP Basic) or post (client id and secret in the form body) at the token endpoint. */
        @WithDefault("basic")
        String clientAuthentication();

        /** Extra parameters for the authorization request, e.g. {@code extra-parameters.audience=community}. */
        Map<String, String> extraParameters();

        /** Send a PKCE S256 code challenge (providers that do not know PKCE ignore it). */
        @WithDefault("true")
        boolean pkce();
    }
}
