package org.communitysso.gateway.web;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/** {@code /favicon.ico}, which browsers ask for by themselves. */
@Path("/favicon.ico")
public class Favicon {

    @GET
    public Response favicon() {
        return Assets.file("favicon.ico");
    }
}
