package org.communitysso.gateway.connector;

/**
 * Optional, next to {@link Connector}: a connector that depends on documents fetched
 * from its IdP (discovery, JWKS, SAML metadata) and can tell whether they are at hand.
 */
public interface IdpProbe {

    /**
     * Fetches what the connector needs from the IdP, or uses its cached copy, within the
     * connector's timeouts; throws {@code GatewayException} ({@code idp_unavailable}) with
     * what failed. Never sends anything about a member.
     */
    void probe();

    /** False when this connector's configuration needs nothing from the IdP (keys configured inline). */
    default boolean dependsOnIdp() {
        return true;
    }
}
