package org.communitysso.gateway.testing;

import io.quarkus.runtime.configuration.DurationConverter;
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

/** Builds connectors from properties the way start-up does, without starting the gateway. */
public final class ConnectorConfigs {

    private ConnectorConfigs() {
    }

    public static Map<String, Connector> build(Map<String, String> properties, List<ConnectorFactory> factories) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(GatewayConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .build();
        return ConnectorRegistry.build(config.getConfigMapping(GatewayConfig.class).connectors(), factories);
    }
}
