package org.communitysso.gateway.dev;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/**
 * Two stand-in token IdPs for the first run ({@code ./mvnw quarkus:dev}) and the
 * browser test only, never built into a production profile: {@code /dev/demo-idp/{idp}/…} for the
 * {@code demo} and {@code demo-partner} connectors, each signing its tokens
 * (HS256) with the shared secret its connector is configured with. Everything
 * is relative to the request, so the demo works on any host name and port.
 */
// also in the test build: the real-browser test walks the demo (MemberJourneyBrowserTest)
@IfBuildProfile(anyOf = {"dev", "test"})
@Singleton
@Path("/dev/demo-idp/{idp}")
public class DemoIdpResource {

    /** The demo IdPs: connector id → what its form pre-fills (one member, two IdPs, one email). */
    static final Map<String, String> SAMPLE_IDS = Map.of("demo", "demo-user-1", "demo-partner", "partner-user-1");

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance signOn(String idp, String returnUrl, String sampleId);

        static native TemplateInstance signedOff(String returnUrl);
    }

    @Inject
    Config config;

    @GET
    @Path("/sign-on")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance signOnPage(@PathParam("idp") String idp, @QueryParam("return_url") String returnUrl,
            @Context UriInfo uriInfo) {
        known(idp);
        return Templates.signOn(idp, ownGateway(idp, returnUrl, uriInfo), SAMPLE_IDS.get(idp));
    }

    @POST
    @Path("/sign-on")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signOn(@PathParam("idp") String idp, @FormParam("return_url") String returnUrl,
            @FormParam("id") String id, @FormParam("username") String username, @FormParam("email") String email,
            @FormParam("customRoles") String customRoles, @FormParam("avatar") String avatar,
            @Context UriInfo uriInfo) throws JoseException {
        known(idp);
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(config.getValue("gateway.connectors." + idp + ".jwt.issuer", String.class));
        claims.setAudience(config.getValue("gateway.connectors." + idp + ".jwt.audience", String.class));
        claims.setGeneratedJwtId();
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(2);
        claims.setClaim("id", id);
        putIfGiven(claims, "username", username);
        putIfGiven(claims, "email", email);
        putIfGiven(claims, "customRoles", customRoles);
        putIfGiven(claims, "avatar", avatar);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(new HmacKey(config.getValue("gateway.connectors." + idp + ".jwt.shared-secret", String.class)
                .getBytes(StandardCharsets.UTF_8)));
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        String token = jws.getCompactSerialization();
        return Response.seeOther(URI.create(ownGateway(idp, returnUrl, uriInfo) + "?token="
                + URLEncoder.encode(token, StandardCharsets.UTF_8))).build();
    }

    @GET
    @Path("/sign-off")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance signOff(@PathParam("idp") String idp, @QueryParam("return_url") String returnUrl,
            @Context UriInfo uriInfo) {
        known(idp);
        String base = base(uriInfo);
        // back only to a page of this same gateway
        String back = returnUrl != null && (returnUrl.startsWith(base + "/") || returnUrl.equals(base))
                && !returnUrl.contains("@") ? returnUrl : base + "/";
        return Templates.signedOff(back);
    }

    private static void known(String idp) {
        if (!SAMPLE_IDS.containsKey(idp)) {
            throw new NotFoundException();
        }
    }

    private static void putIfGiven(JwtClaims claims, String name, String value) {
        if (value != null && !value.isBlank()) {
            claims.setClaim(name, value.trim());
        }
    }

    /**
     * The demo only ever sends the token to this gateway's return URL for the same
     * connector, on the host and port the browser used to reach it.
     */
    private static String ownGateway(String idp, String url, UriInfo uriInfo) {
        String own = base(uriInfo) + "/auth/" + idp + "/return";
        return own.equals(url) ? url : own;
    }

    private static String base(UriInfo uriInfo) {
        String base = uriInfo.getBaseUri().toString();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }
}
