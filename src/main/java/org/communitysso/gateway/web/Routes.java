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
    static final String SIGNED_OFF = "signed-off";

    /** {@code /auth/<segment>} routes of the edge itself (SignOnResource, SessionResource, ProfileResource, AccountResource, LinkResource, Assets). */
    static final java.util.Set<String> OWN_PAGES = java.util.Set.of("login", "logout", "session", "check", "profile",
            "account", "link", "assets");

    @Override
    public java.util.Set<String> reservedIds() {
        return OWN_PAGES;
    }

    @Override
    public String returnPath(String connectorId) {
        return AUTH + connectorId + "/return";
    }

    @Override
    public String sharedReturnPath(String returnAlias) {
        return returnPath(returnAlias);
    }

    /** The edge's own route the IdP sends the member to after an IdP sign-off ({@link SessionResource#signedOff}). */
    public String signedOffPath(String connectorId) {
        return AUTH + connectorId + "/" + SIGNED_OFF;
    }

    @Override
    public String endpointPath(String connectorId, String endpoint) {
        return AUTH + connectorId + "/" + endpoint;
    }
}
