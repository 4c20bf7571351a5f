package org.communitysso.gateway.web;

import jakarta.enterprise.context.ApplicationScoped;
import org.communitysso.gateway.connector.GatewayRoutes;

/**
 * The paths of the gateway's connector routes ({@code /auth/{connector}/…}, see
 * {@link SignOnResource}), handed to connectors so that none spells them out.
 */
@ApplicationScoped
public class Routes implements GatewayRoutes {

    static final String AUTH = "/auth/";

    @Override
    public String returnPath(String connectorId) {
        return AUTH + connectorId + "/return";
    }

    @Override
    public String sharedReturnPath(String returnAlias) {
        return returnPath(returnAlias);
    }

    @Override
    public String endpointPath(String connectorId, String endpoint) {
        return AUTH + connectorId + "/" + endpoint;
    }
}
