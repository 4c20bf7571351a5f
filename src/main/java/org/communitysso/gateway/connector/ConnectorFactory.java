package org.communitysso.gateway.connector;

import io.smallrye.config.SmallRyeConfig;
import org.communitysso.gateway.config.ConnectorConfig;

/**
 * Builds the connectors of one type. Adding a protocol means adding one of
 * these, with its own {@code @ConfigMapping}, in the protocol's own package.
 */
public interface ConnectorFactory {

    /** The value of {@code gateway.connectors.<id>.type} this factory builds. */
    String type();

    /**
     * The path segment of this type's shared return URL ({@code /auth/<alias>/return}),
     * which the IdP may know instead of a connector's own. No connector id may take it.
     */
    String returnAlias();

    /**
     * This type's own {@code @ConfigMapping} over {@code gateway.connectors}. Quarkus
     * registers it by its annotation; the test helper that builds connectors from
     * properties registers it through this.
     */
    Class<?> configMapping();

    /** Reports every bad setting to {@code problems}; may return null when there were any. */
    Connector create(ConnectorSettings settings, Context context, ConfigProblems problems);

    /**
     * What start-up gives a factory besides the validated common settings: the
     * common keys, the configuration (for the factory's own mapping) and the
     * gateway's routes.
     */
    record Context(ConnectorConfig common, SmallRyeConfig config, GatewayRoutes routes) {

        /** The factory's own mapping; read its entry for the connector id. */
        public <T> T mapping(Class<T> type) {
            return config.getConfigMapping(type);
        }
    }
}
