package org.communitysso.gateway.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.inject.Inject;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.communitysso.gateway.account.AccountService;
import org.communitysso.gateway.audit.Audit;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorRegistry;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.communitysso.gateway.session.SessionCache;
import org.communitysso.gateway.session.SessionService;

/** What the community asks: who is signed in ({@code /auth/session}, {@code /auth/check}), and sign-off. */
@Path("/auth")
public class SessionResource {

    @Inject
    SessionService sessions;
    @Inject
    AccountService accounts;
    @Inject
    ConnectorRegistry registry;
    @Inject
    ReturnUrlPolicy returnUrls;
    @Inject
    Cookies cookies;
    @Inject
    GatewayUrls urls;
    @Inject
    SignOnStates states;
    @Inject
    SignOffGuard signOffGuard;
    @Inject
    SessionCache cache;
    @Inject
    ObjectMapper json;

    public record SessionJson(String userId, String username, String email, List<String> customRoles, String avatar,
            String connector, String externalId) {
    }

    @GET
    @Path("/session")
    @JsonErrors
    @Produces(MediaType.APPLICATION_JSON)
    public SessionJson session(@CookieParam(Cookies.SESSION) String token) {
        return answer(token).map(Loaded::json)
                .orElseThrow(() -> new GatewayException(Reason.NO_SESSION, "no live session"));
    }

    /** nginx {@code auth_request}: 202 with the member in headers, or 401. */
    @GET
    @Path("/check")
    @JsonErrors
    public Response check(@CookieParam(Cookies.SESSION) String token) {
        Optional<Loaded> member = answer(token);
        if (member.isEmpty()) {
            return Response.status(Response.Status.UNAUTHORIZED).build();
        }
        Response.ResponseBuilder response = Response.accepted();
        member.get().answer().checkHeaders().forEach(header -> response.header(header.getKey(), header.getValue()));
        return response.build();
    }

    /**
     * Signs off at once when the request comes from the gateway or the
     * community; from another site it only shows a "Sign out?" page whose
     * form carries a token bound to this session.
     */
    @GET
    @Path("/logout")
    public Response logout(@QueryParam("return_url") String returnUrl, @CookieParam(Cookies.SESSION) String token,
            @Context HttpHeaders headers, @Context UriInfo uriInfo) {
        return signOffOrConfirm(returnUrl, null, token, headers, uriInfo);
    }

    @POST
    @Path("/logout")
    public Response logoutPost(@QueryParam("return_url") String queryReturnUrl,
            @FormParam("return_url") String formReturnUrl, @FormParam("csrf") String csrf,
            @CookieParam(Cookies.SESSION) String token, @Context HttpHeaders headers, @Context UriInfo uriInfo) {
        return signOffOrConfirm(formReturnUrl != null ? formReturnUrl : queryReturnUrl, csrf, token, headers, uriInfo);
    }

    private Response signOffOrConfirm(String returnUrl, String csrf, String token, HttpHeaders headers,
            UriInfo uriInfo) {
        String target = returnUrls.targetOrLanding(returnUrl);
        if (!signOffGuard.validToken(csrf, token)) {
            Optional<String> crossSite = signOffGuard.crossSiteSignal(headers, uriInfo);
            // Without a live session there is nothing to protect: carry on as a sign-off.
            Optional<SessionService.LiveSession> live = crossSite.flatMap(signal -> sessions.check(token));
            if (live.isPresent()) {
                Audit.crossSiteSignOffRefused(live.get().accountId(), crossSite.get(), csrf == null ? "missing" : "invalid");
                return Response.ok(Pages.confirmSignOff(signOffGuard.token(token), target).render(),
                        MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).build();
            }
        }
        URI next = sessions.revoke(token, "sign_off")
                .flatMap(session -> registry.find(session.connectorId())
                        .flatMap(c -> c.signOffRedirect(new Connector.SignOff(urls.absolute(target, uriInfo),
                                session.signOffHandle(), () -> states.keepSignOffTarget(c.id(), target),
                                urls.signedOffUrl(c.id(), uriInfo)))))
                .orElse(URI.create(target));
        return Response.status(Response.Status.FOUND).location(next).cookie(cookies.clear(Cookies.SESSION)).build();
    }

    /**
     * Where an IdP sends the member after its own sign-off (OIDC
     * {@code post_logout_redirect_uri}): on to the target kept under {@code state}
     * (single use), or to the landing URL when that id is unknown, used or expired.
     */
    @GET
    @Path("/{connector}/" + Routes.SIGNED_OFF)
    public Response signedOff(@PathParam("connector") String connectorId, @QueryParam("state") String state) {
        String next = states.takeSignOffTarget(connectorId, state).orElse(returnUrls.landingUrl());
        return Response.status(Response.Status.FOUND).location(URI.create(next)).build();
    }

    /** A session read from the database: the JSON to answer now and what the cache keeps. */
    private record Loaded(SessionJson json, SessionCache.Answer answer) {
    }

    /**
     * Cache hits are normally answered before this resource ({@link CachedSessionRoutes});
     * here: a miss, read from the database in one transaction and cached.
     */
    private Optional<Loaded> answer(String token) {
        long generation = cache.generation();
        return QuarkusTransaction.requiringNew().call(() -> sessions.lookUp(token)
                .flatMap(checked -> accounts.view(checked.live().accountId()).map(account -> {
                    Loaded loaded = load(checked.live(), account);
                    cache.put(generation, checked, loaded.answer());
                    return loaded;
                })));
    }

    private Loaded load(SessionService.LiveSession session, AccountService.AccountView account) {
        SessionJson body = new SessionJson(String.valueOf(account.id()), account.username(), account.email(),
                account.roles(), account.avatar(), session.connectorId(), session.externalId());
        List<Map.Entry<String, String>> headers = List.of(
                Map.entry("X-Community-User-Id", String.valueOf(account.id())),
                Map.entry("X-Community-Username", headerValue(account.username())),
                Map.entry("X-Community-Email", headerValue(account.email())),
                Map.entry("X-Community-Roles", String.join(",", account.roles())),
                Map.entry("X-Community-Avatar", headerValue(account.avatar())));
        try {
            return new Loaded(body, new SessionCache.Answer(headers, json.writeValueAsBytes(body)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Header values are ASCII: '%' and anything outside printable ASCII travel percent-encoded (UTF-8). */
    static String headerValue(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '%') {
                out.append(c);
            } else {
                int codePoint = value.codePointAt(i);
                out.append(URLEncoder.encode(new String(Character.toChars(codePoint)), StandardCharsets.UTF_8));
                i += Character.charCount(codePoint) - 1;
            }
        }
        return out.toString();
    }
}
