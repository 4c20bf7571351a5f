package org.communitysso.gateway.connector.facebook;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.communitysso.gateway.connector.ConfigProblems;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorFactory;
import org.communitysso.gateway.connector.ConnectorSettings;
import org.communitysso.gateway.connector.pac4j.Pac4jConnector;
import org.communitysso.gateway.connector.pac4j.Pac4jFlow;

/** Validates a {@code facebook} connector's settings and builds it on pac4j's FacebookClient. */
@ApplicationScoped
public class FacebookConnectorFactory implements ConnectorFactory {

    /**
     * Unused here: Quarkus registers a {@code @ConfigMapping} (and so accepts its
     * keys) only where one is injected. The factory reads it through {@link Context}.
     */
    @Inject
    FacebookConfig keys;

    private static final Pattern VERSION = Pattern.compile("v[0-9]+\\.[0-9]+");
    static final String DEFAULT_SCOPE = "public_profile,email";
    /** Facebook's fields; the large picture becomes the avatar. The email is absent when the member declines it. */
    static final Map<String, String> DEFAULT_MAPPING = Map.of(
            "id", "id", "username", "name", "email", "email", "avatar", "picture.data.url");

    @Override
    public String type() {
        return "facebook";
    }

    @Override
    public String returnAlias() {
        return "facebook";
    }

    @Override
    public Class<?> configMapping() {
        return FacebookConfig.class;
    }

    @Override
    public Connector create(ConnectorSettings settings, Context context, ConfigProblems problems) {
        String id = settings.id();
        FacebookConfig.Entry config = context.mapping(FacebookConfig.class).connectors().get(id);
        FacebookConfig.Keys facebook = config.facebook();
        String appId = problems.required(id, "client-id", config.clientId());
        String appSecret = problems.required(id, "client-secret", config.clientSecret());
        boolean versionValid = VERSION.matcher(facebook.graphApiVersion()).matches();
        if (!versionValid) {
            problems.add(id, "facebook.graph-api-version", "must look like v23.0");
        }
        Optional<String> graph = problems.httpUrl(id, "facebook.graph-api-url", Optional.of(facebook.graphApiUrl()), true)
                .map(u -> stripSlash(u.toString()));
        Optional<String> dialog = problems.httpUrl(id, "facebook.dialog-url", Optional.of(facebook.dialogUrl()), true)
                .map(u -> stripSlash(u.toString()));
        if (!versionValid || appId == null || appSecret == null || graph.isEmpty() || dialog.isEmpty()) {
            return null;
        }
        GatewayFacebookClient client = new GatewayFacebookClient(appId, appSecret,
                new GraphApi(facebook.graphApiVersion(), graph.get(), dialog.get()),
                new GraphProfileDefinition(id, graph.get(), facebook.graphApiVersion()));
        client.setScope(config.scope().filter(s -> !s.isBlank()).orElse(DEFAULT_SCOPE));
        client.setFields(facebook.fields());
        client.getConfiguration().setUseAppsecretProof(true);
        Pac4jFlow flow = new Pac4jFlow(id, context.routes().returnPath(id), client, false,
                context.common().connectTimeout(), context.common().readTimeout());
        // auth_type=reauthenticate is Facebook's way of asking for the password again
        return new Pac4jConnector(settings, flow, DEFAULT_MAPPING, Map.of(), Map.of("auth_type", "reauthenticate"));
    }


    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
