package org.communitysso.gateway.testing;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.communitysso.gateway.config.GatewayConfig;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorFactory;
import org.communitysso.gateway.connector.ConnectorRegistry;
import org.communitysso.gateway.web.Routes;

/**
 * Builds connectors from properties the way start-up does, without starting the
 * gateway. The common keys and each given factory's own mapping are registered,
 * as Quarkus registers them; a key no registered mapping knows fails as at start-up.
 */
public final class ConnectorConfigs {

    private ConnectorConfigs() {
    }

    public static Map<String, Connector> build(Map<String, String> properties, List<ConnectorFactory> factories) {
        return build(properties, Map.of(), factories);
    }

    /**
     * As {@link #build(Map, List)}, with {@code environment} as the process environment
     * (what {@code ${VAR}} expansions and upper-case variable names read), ordinal 300 as in Quarkus.
     */
    public static Map<String, Connector> build(Map<String, String> properties, Map<String, String> environment,
            List<ConnectorFactory> factories) {
        SmallRyeConfigBuilder config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors() // ${VAR} expansion and profiles, as in Quarkus
                .withMapping(GatewayConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .withSources(new EnvConfigSource(environment, 300));
        factories.stream().map(ConnectorFactory::configMapping).distinct().forEach(config::withMapping);
        SmallRyeConfig built = config.build();
        return ConnectorRegistry.build(built, factories, new Routes());
    }
}
