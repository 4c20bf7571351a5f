package org.communitysso.gateway.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import org.communitysso.gateway.config.GatewayConfig;
import org.communitysso.gateway.connector.Connector;

/** The gateway's own absolute URLs: from {@code gateway.public-url}, else from the request. */
@ApplicationScoped
public class GatewayUrls {

    private final GatewayConfig config;
    private final Routes routes;

    @Inject
    public GatewayUrls(GatewayConfig config, Routes routes) {
        this.config = config;
        this.routes = routes;
    }

    public String base(UriInfo uriInfo) {
        String base = config.publicUrl().map(String::trim).filter(s -> !s.isEmpty())
                .orElseGet(() -> uriInfo.getBaseUri().toString());
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /**
     * Where the IdP sends the member back for this connector (no query string of its own):
     * its {@code return-url} when configured (the URL registered at the IdP), else its own
     * return path at the gateway's base.
     */
    public String returnUrl(Connector connector, UriInfo uriInfo) {
        return connector.settings().returnUrl().map(URI::toString)
                .orElseGet(() -> base(uriInfo) + routes.returnPath(connector.id()));
    }

    /** Where the IdP sends the member after its own sign-off, for the edge to send them on to the kept target. */
    public String signedOffUrl(String connectorId, UriInfo uriInfo) {
        return base(uriInfo) + routes.signedOffPath(connectorId);
    }

    /** A checked target made absolute, for IdPs that need a full URL. */
    public String absolute(String target, UriInfo uriInfo) {
        return URI.create(target).isAbsolute() ? target : base(uriInfo) + (target.startsWith("/") ? target : "/" + target);
    }
}
