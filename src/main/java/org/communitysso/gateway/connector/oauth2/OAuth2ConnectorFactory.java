package org.communitysso.gateway.connector.oauth2;

import com.github.scribejava.core.model.Verb;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.communitysso.gateway.connector.ConfigProblems;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorFactory;
import org.communitysso.gateway.connector.ConnectorSettings;
import org.communitysso.gateway.connector.pac4j.Pac4jConnector;
import org.communitysso.gateway.connector.pac4j.Pac4jFlow;
import org.pac4j.oauth.client.OAuth20Client;
import org.pac4j.oauth.config.OAuth20Configuration;
import org.pac4j.scribe.builder.api.GenericApi20;

/** Validates an {@code oauth2} connector's settings and builds it on pac4j's OAuth 2.0 client. */
@ApplicationScoped
public class OAuth2ConnectorFactory implements ConnectorFactory {

    /**
     * Unused here: Quarkus registers a {@code @ConfigMapping} (and so accepts its
     * keys) only where one is injected. The factory reads it through {@link Context}.
     */
    @Inject
    OAuth2Config keys;

    /** The user data format's own names; most providers need a mapping anyway. */
    static final Map<String, String> DEFAULT_MAPPING = Map.of(
            "id", "id", "username", "username", "email", "email", "custom-roles", "customRoles", "avatar", "avatar");

    @Override
    public String type() {
        return "oauth2";
    }

    @Override
    public String returnAlias() {
        return "oauth2";
    }

    @Override
    public Class<?> configMapping() {
        return OAuth2Config.class;
    }

    @Override
    public Connector create(ConnectorSettings settings, Context context, ConfigProblems problems) {
        String id = settings.id();
        OAuth2Config.Entry config = context.mapping(OAuth2Config.class).connectors().get(id);
        Optional<URI> authorizationUrl = problems.httpUrl(id, "authorization-url", config.authorizationUrl(), true);
        Optional<URI> tokenUrl = problems.httpUrl(id, "token-url", config.tokenUrl(), true);
        Optional<URI> profileUrl = problems.httpUrl(id, "user-info-url", config.userInfoUrl(), true);
        String clientId = problems.required(id, "client-id", config.clientId());
        String clientSecret = problems.required(id, "client-secret", config.clientSecret());
        OAuth2Config.Keys oauth2 = config.oauth2();
        Verb verb = switch (oauth2.profileMethod().toUpperCase(Locale.ROOT)) {
            case "GET" -> Verb.GET;
            case "POST" -> Verb.POST;
            default -> {
                problems.add(id, "oauth2.profile-method", "must be GET or POST");
                yield null;
            }
        };
        String clientAuthentication = switch (oauth2.clientAuthentication().toLowerCase(Locale.ROOT)) {
            case "basic" -> GenericApi20.BASIC_AUTH_AUTHENTICATION_METHOD;
            case "post" -> GenericApi20.REQUEST_BODY_AUTHENTICATION_METHOD;
            default -> {
                problems.add(id, "oauth2.client-authentication", "must be basic or post");
                yield null;
            }
        };
        for (String name : oauth2.extraParameters().keySet()) {
            if (Pac4jFlow.PROTOCOL_PARAMETERS.contains(name)) {
                problems.add(id, "oauth2.extra-parameters." + name, "is set by the gateway itself");
            }
        }
        if (authorizationUrl.isEmpty() || tokenUrl.isEmpty() || profileUrl.isEmpty() || clientId == null
                || clientSecret == null || verb == null || clientAuthentication == null) {
            return null;
        }
        GenericApi20 api = new JsonOrFormTokenApi(authorizationUrl.get().toString(), tokenUrl.get().toString());
        api.setClientAuthenticationMethod(clientAuthentication);
        OAuth20Configuration configuration = new OAuth20Configuration();
        configuration.setApi(api);
        configuration.setKey(clientId);
        configuration.setSecret(clientSecret);
        configuration.setScope(config.scope().filter(s -> !s.isBlank()).orElse(null));
        configuration.setWithState(true);
        configuration.setTokenAsHeader(true);
        configuration.setProfileDefinition(new RawJsonProfileDefinition(id, profileUrl.get().toString(), verb));
        OAuth20Client client = new OAuth20Client();
        client.setConfiguration(configuration);
        Pac4jFlow flow = new Pac4jFlow(id, context.routes().returnPath(id), client, oauth2.pkce(),
                context.common().connectTimeout(), context.common().readTimeout());
        return new Pac4jConnector(settings, flow, DEFAULT_MAPPING, oauth2.extraParameters(), Map.of("prompt", "login"));
    }

}
