package org.communitysso.gateway.connector.saml;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorRegistry;

/**
 * Asks every SAML connector with {@code saml.idp-metadata-url} each minute whether its
 * metadata is due for a refresh; each keeps its own schedule ({@link IdpMetadataSource}).
 */
@ApplicationScoped
public class SamlMetadataRefresher {

    @Inject
    ConnectorRegistry registry;

    @Scheduled(every = "1m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        refreshDue(false);
    }

    /** Refreshes the connectors that are due, or all of them ({@code force}); returns how many took new metadata. */
    public int refreshDue(boolean force) {
        int refreshed = 0;
        for (Connector connector : registry.all()) {
            if (connector instanceof SamlConnector saml && saml.refreshMetadata(force)) {
                refreshed++;
            }
        }
        return refreshed;
    }
}
