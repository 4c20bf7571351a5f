package org.communitysso.gateway.connector.facebook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithDefaults;
import io.smallrye.config.WithParentName;
import java.util.Map;
import java.util.Optional;

/** The facebook connector's own keys under {@code gateway.connectors.<id>}: app id and secret, {@code facebook.*}. */
@ConfigMapping(prefix = "gateway.connectors")
public interface FacebookConfig {

    /** By connector id; an id without any of these keys reads the defaults. */
    @WithParentName
    @WithDefaults
    Map<String, Entry> connectors();

    interface Entry {
        Optional<String> clientId();

        Optional<String> clientSecret();

        Optional<String> scope();

        Keys facebook();
    }

    interface Keys {
        @WithDefault("v23.0")
        String graphApiVersion();

        /** Base of the Graph API (token and profile calls); a stand-in's URL in tests. */
        @WithDefault("https://graph.facebook.com")
        String graphApiUrl();

        /** Base of the login dialog the member is sent to. */
        @WithDefault("https://www.facebook.com")
        String dialogUrl();

        @WithDefault("id,name,email,picture.type(large)")
        String fields();
    }
}
