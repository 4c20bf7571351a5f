package org.communitysso.gateway.dev;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * A stand-in token IdP for the first run ({@code ./mvnw quarkus:dev}) only:
 * never built into any other profile. It signs a token with a key it makes at
 * start-up and publishes as a JWKS, like a real IdP behind the jwt connector.
 */
@IfBuildProfile("dev")
@Singleton
@Path("/dev/demo-idp")
public class DemoIdpResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance signOn(String returnUrl);

        static native TemplateInstance signedOff(String returnUrl);
    }

    private final RsaJsonWebKey key;

    public DemoIdpResource() throws JoseException {
        key = RsaJwkGenerator.generateJwk(2048);
        key.setKeyId("demo-" + UUID.randomUUID());
        key.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
        key.setUse("sig");
    }

    @GET
    @Path("/jwks")
    @Produces(MediaType.APPLICATION_JSON)
    public String jwks() {
        return new JsonWebKeySet(key).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }

    @GET
    @Path("/sign-on")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance signOnPage(@QueryParam("return_url") String returnUrl) {
        return Templates.signOn(localOnly(returnUrl));
    }

    @POST
    @Path("/sign-on")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signOn(@FormParam("return_url") String returnUrl, @FormParam("id") String id,
            @FormParam("username") String username, @FormParam("email") String email,
            @FormParam("customRoles") String customRoles, @FormParam("avatar") String avatar) throws JoseException {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer("https://demo-idp.invalid");
        claims.setAudience("community-sso-gateway");
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
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        String token = jws.getCompactSerialization();
        return Response.seeOther(URI.create(localOnly(returnUrl) + "?token=" + URLEncoder.encode(token,
                StandardCharsets.UTF_8))).build();
    }

    @GET
    @Path("/sign-off")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance signOff(@QueryParam("return_url") String returnUrl) {
        return Templates.signedOff(localOnly(returnUrl));
    }

    private static void putIfGiven(JwtClaims claims, String name, String value) {
        if (value != null && !value.isBlank()) {
            claims.setClaim(name, value.trim());
        }
    }

    /** The demo only ever sends members back to a gateway on this machine. */
    private static String localOnly(String url) {
        if (url != null && (url.startsWith("http://localhost:") || url.startsWith("http://127.0.0.1:"))
                && !url.contains("@")) {
            return url;
        }
        return "http://localhost:8080/auth/demo/return";
    }
}
