package org.communitysso.gateway.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;

/**
 * Free ports for the sample sites of {@code samples/sites} ({@code NodeSampleSitesTest}), fixed at boot
 * because the sites' origins in the test profile ({@code %test.gateway.sites.sample-*}) are.
 */
public class SampleSitePorts implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("test.sample-sites.shop.port", String.valueOf(freePort()),
                "test.sample-sites.docs.port", String.valueOf(freePort()));
    }

    @Override
    public void stop() {
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
