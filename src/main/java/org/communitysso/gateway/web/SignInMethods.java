package org.communitysso.gateway.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import org.communitysso.gateway.config.ConnectorConfig;
import org.communitysso.gateway.config.GatewayConfig;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorRegistry;

/** Connectors as members see them: label, icon (the type's default when none is set), description. */
@ApplicationScoped
public class SignInMethods {

    public record Method(String id, String label, String icon, String description) {
    }

    private final ConnectorRegistry registry;
    private final GatewayConfig config;

    @Inject
    public SignInMethods(ConnectorRegistry registry, GatewayConfig config) {
        this.registry = registry;
        this.config = config;
    }

    public Method of(Connector connector) {
        String id = connector.id();
        return new Method(id, connector.settings().label(),
                connector.settings().icon().orElseGet(() -> Assets.defaultIcon(connector.settings().type())),
                Optional.ofNullable(config.connectors().get(id)).flatMap(ConnectorConfig::description)
                        .map(String::trim).filter(d -> !d.isEmpty()).orElse(null));
    }

    /** A linked connector by id; one no longer configured still shows (by its id) so the member can remove it. */
    public Method of(String connectorId) {
        return registry.find(connectorId).map(this::of)
                .orElseGet(() -> new Method(connectorId, connectorId, Assets.defaultIcon(""), null));
    }

    /** What a member may sign in or link with: enabled and not in testing. */
    public List<Method> choices() {
        return registry.signInChoices().stream().map(this::of).toList();
    }

    public boolean offered(String connectorId) {
        return registry.signInChoices().stream().anyMatch(c -> c.id().equals(connectorId));
    }
}
