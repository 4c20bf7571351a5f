package org.communitysso.gateway.ops;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.communitysso.gateway.account.AccountOperations;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorRegistry;
import org.jboss.logging.Logger;

/**
 * A connector's role-mapping changed since the last start (its hash differs from the one
 * stored): the new mapping is applied to the groups each member last brought, so members
 * get their new roles without signing on again. A failure is logged, never stops start-up.
 */
@ApplicationScoped
public class RoleMappingAtStartup {

    private static final Logger LOG = Logger.getLogger(RoleMappingAtStartup.class);

    @Inject
    ConnectorRegistry registry;
    @Inject
    AccountOperations accounts;

    void onStart(@Observes StartupEvent start) {
        for (Connector connector : registry.all()) {
            try {
                int changed = accounts.reapplyIfChanged(connector.id(), connector.settings().roleMapping());
                if (changed > 0) {
                    LOG.infof("connector %s: role-mapping changed; roles of %d member(s) recomputed", connector.id(),
                            changed);
                }
            } catch (RuntimeException e) {
                LOG.errorf("connector %s: role-mapping not re-applied at start-up (%s); use POST "
                        + "/admin/api/connectors/%s/reapply-role-mapping", connector.id(), e.getClass().getSimpleName(),
                        connector.id());
            }
        }
    }
}
