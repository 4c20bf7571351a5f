package org.communitysso.gateway.connector;

/**
 * The gateway's own paths a connector hands to its IdP (return URL, SP metadata,
 * logout endpoints). The web edge owns the routes and supplies these, so no
 * connector spells out a gateway path. Paths start with {@code /}; a connector
 * puts the gateway's base URL in front.
 */
public interface GatewayRoutes {

    /** Where the IdP sends the member back to this connector. */
    String returnPath(String connectorId);

    /** The return path shared by every connector of a type ({@link ConnectorFactory#returnAlias()}). */
    String sharedReturnPath(String returnAlias);

    /** Path segments under {@code /auth/} that are the gateway's own pages, so no connector may take them as its id. */
    default java.util.Set<String> reservedIds() {
        return java.util.Set.of();
    }

    /** An endpoint of the connector's own protocol, {@code endpoint} relative to the connector's routes. */
    String endpointPath(String connectorId, String endpoint);
}
