package org.communitysso.gateway.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.communitysso.gateway.Origins;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.audit.Audit;
import org.communitysso.gateway.config.GatewayConfig;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorRegistry;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.communitysso.gateway.session.SessionService;
import org.communitysso.gateway.sites.Site;
import org.communitysso.gateway.sites.SiteSignOns;
import org.communitysso.gateway.sites.Sites;

/**
 * The gateway as the auth domain of the community's other sites (SPEC 7):
 * {@code /sso/authorize} hands a site a one-time token through the member's
 * browser, the site exchanges it at {@code /sso/token}, checks the sign-on at
 * {@code /sso/session}, keeps small data at {@code /sso/session/data}, and
 * {@code /sso/logout} ends the member's sign-on everywhere.
 */
@Path("/sso")
public class SsoResource {

    static final String RESUME_COOKIE = "community_sso_resume";
    private static final String CONTINUE_PURPOSE = "sso-continue";
    private static final String SIGN_OFF_PURPOSE = "sso-sign-off";

    @Inject
    Sites sites;
    @Inject
    SiteSignOns signOns;
    @Inject
    SessionService sessions;
    @Inject
    SsoTargets targets;
    @Inject
    SignOnStates states;
    @Inject
    ConnectorRegistry registry;
    @Inject
    Cookies cookies;
    @Inject
    GatewayUrls urls;
    @Inject
    GatewayConfig config;
    @Inject
    ReturnUrlPolicy returnUrls;
    @Inject
    ObjectMapper json;

    // ---- the member's browser ---------------------------------------------------------------------------------

    @GET
    @Path("/authorize")
    public Response authorize(@QueryParam("site") String siteId, @QueryParam("return_url") String returnUrl,
            @QueryParam("prompt") String prompt, @QueryParam("resume") String resume,
            @CookieParam(Cookies.SESSION) String sessionCookie, @CookieParam(RESUME_COOKIE) String resumeNonce,
            @Context HttpHeaders headers, @Context UriInfo uriInfo) {
        Site site = site(siteId);
        checkReturnUrl(site, returnUrl);
        boolean resumed = targets.validResume(resume, resumeNonce, site, returnUrl);
        boolean forceLogin = "login".equals(prompt) && !resumed;
        boolean noPage = "none".equals(prompt);
        if (site.mode() == Site.Mode.DISABLED) {
            String boundCookie = headers.getCookies().containsKey(SsoTargets.boundCookie(site))
                    ? headers.getCookies().get(SsoTargets.boundCookie(site)).getValue() : null;
            if (resumed) {
                // the sign-on this request started, for this site alone
                return sessions.check(boundCookie)
                        .map(live -> withOtt(site, returnUrl, boundCookie, live, site.id(), uriInfo))
                        .orElseGet(() -> withError(returnUrl, "login_required"));
            }
            if (noPage) {
                return withError(returnUrl, "login_required");
            }
            // a disabled site's every sign-on goes to the IdP; the one before it ends
            sessions.revoke(boundCookie, "site_sign_on_again");
            return startSignOn(site, returnUrl, forceLogin, cookies.sso(SsoTargets.boundCookie(site), "", 0));
        }
        Optional<SessionService.LiveSession> live = forceLogin ? Optional.empty() : sessions.check(sessionCookie);
        if (live.isEmpty()) {
            if (resumed || noPage) {
                return withError(returnUrl, "login_required");
            }
            return startSignOn(site, returnUrl, forceLogin);
        }
        if (site.mode() == Site.Mode.AUTO || resumed) {
            return withOtt(site, returnUrl, sessionCookie, live.get(), null, uriInfo);
        }
        if (noPage) {
            return withError(returnUrl, "consent_required");
        }
        String username = accountName(live.get());
        String another = SsoTargets.AUTHORIZE + "?site=" + site.id() + "&return_url="
                + URLEncoder.encode(returnUrl, StandardCharsets.UTF_8) + "&prompt=login";
        return html(Pages.siteContinue(site.label(), username, site.id(), returnUrl,
                states.sign(CONTINUE_PURPOSE, continueBinding(sessionCookie, site, returnUrl)), another).render());
    }

    /** "Continue as …": the opt-in page's button, with its token bound to this session, site and return_url. */
    @POST
    @Path("/authorize")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response authorizeContinue(@FormParam("site") String siteId, @FormParam("return_url") String returnUrl,
            @FormParam("csrf") String csrf, @CookieParam(Cookies.SESSION) String sessionCookie,
            @Context UriInfo uriInfo) {
        Site site = site(siteId);
        checkReturnUrl(site, returnUrl);
        SessionService.LiveSession live = sessions.check(sessionCookie)
                .orElseThrow(() -> new GatewayException(Reason.NO_SESSION, "opt-in form without a live session"));
        if (sessionCookie == null || !Secrets.constantTimeEquals(
                states.sign(CONTINUE_PURPOSE, continueBinding(sessionCookie, site, returnUrl)), csrf)) {
            Audit.ottRefused(site.id(), Reason.CSRF_INVALID.code(), "opt-in form token missing or invalid");
            throw new GatewayException(Reason.CSRF_INVALID, "opt-in form token missing or invalid");
        }
        if (site.mode() != Site.Mode.OPT_IN) {
            throw new GatewayException(Reason.UNKNOWN_SITE, "opt-in form for a site that is not opt-in");
        }
        return withOtt(site, returnUrl, sessionCookie, live, null, uriInfo);
    }

    private static String continueBinding(String sessionCookie, Site site, String returnUrl) {
        return Secrets.sha256Hex(sessionCookie == null ? "" : sessionCookie) + ":" + site.id() + ":" + returnUrl;
    }

    /** Sends the member to sign on (the sign-in page, or the only connector), and back here afterwards. */
    private Response startSignOn(Site site, String returnUrl, boolean forceLogin, NewCookie... more) {
        String nonce = Secrets.randomId();
        String target = URLEncoder.encode(targets.resumeTarget(site, returnUrl, nonce), StandardCharsets.UTF_8);
        List<Connector> choices = registry.signInChoices();
        String next = (choices.size() == 1 ? "/auth/" + choices.get(0).id() + "/login" : "/auth/login")
                + "?return_url=" + target + (forceLogin ? "&prompt=login" : "");
        int maxAge = (int) (config.signOnTimeout().plus(config.accounts().pendingLifetime())).toSeconds();
        return Response.status(Response.Status.FOUND).location(URI.create(next))
                .cookie(cookies.sso(RESUME_COOKIE, nonce, maxAge)).cookie(more).build();
    }

    private Response withOtt(Site site, String returnUrl, String sessionCookie, SessionService.LiveSession live,
            String boundSite, UriInfo uriInfo) {
        String ott = signOns.issue(site, Secrets.sha256Hex(sessionCookie), live.accountId(), boundSite,
                urls.base(uriInfo));
        return Response.status(Response.Status.FOUND).location(URI.create(withParameter(returnUrl, "ott", ott)))
                .cookie(cookies.sso(RESUME_COOKIE, "", 0)).build();
    }

    private Response withError(String returnUrl, String error) {
        return Response.status(Response.Status.FOUND).location(URI.create(withParameter(returnUrl, "error", error)))
                .cookie(cookies.sso(RESUME_COOKIE, "", 0)).build();
    }

    /** Adds {@code name=value} to the URL's query, before any fragment. */
    static String withParameter(String url, String name, String value) {
        int hash = url.indexOf('#');
        String base = hash < 0 ? url : url.substring(0, hash);
        String fragment = hash < 0 ? "" : url.substring(hash);
        String separator = base.contains("?") ? (base.endsWith("?") || base.endsWith("&") ? "" : "&") : "?";
        return base + separator + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8) + fragment;
    }

    private String accountName(SessionService.LiveSession live) {
        return signOns.username(live.accountId()).orElse("");
    }

    // ---- the sites, server to server ----------------------------------------------------------------------------

    @POST
    @Path("/token")
    @JsonErrors
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response token(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @FormParam("ott") String ott) {
        Site site = client(authorization);
        return noStore(Response.ok(signOns.exchange(site, ott)));
    }

    @GET
    @Path("/session")
    @JsonErrors
    @Produces(MediaType.APPLICATION_JSON)
    public Response session(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @QueryParam("ssoSession") String ssoSession, @QueryParam("touch") String touch) {
        Site site = client(authorization);
        return noStore(Response.ok(signOns.session(site, ssoSession, "true".equals(touch))
                .orElseThrow(SsoResource::noSession)));
    }

    @GET
    @Path("/session/data")
    @JsonErrors
    @Produces(MediaType.APPLICATION_JSON)
    public Response data(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @QueryParam("ssoSession") String ssoSession) {
        Site site = client(authorization);
        Optional<String> data = signOns.data(site, ssoSession).orElseThrow(SsoResource::noSession);
        return noStore(data.map(d -> Response.ok(d, MediaType.APPLICATION_JSON_TYPE)).orElseGet(Response::noContent));
    }

    @PUT
    @Path("/session/data")
    @JsonErrors
    public Response putData(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @QueryParam("ssoSession") String ssoSession, byte[] body) {
        Site site = client(authorization);
        if (body == null || body.length == 0) {
            throw new GatewayException(Reason.SITE_DATA_INVALID, "empty body").answeredToMachinesWith(400);
        }
        if (body.length > SiteSignOns.MAX_DATA_BYTES) {
            throw new GatewayException(Reason.SITE_DATA_TOO_LARGE, "data of " + body.length + " bytes")
                    .answeredToMachinesWith(413);
        }
        String text;
        try {
            JsonNode parsed = json.readTree(body);
            if (parsed == null || parsed.isMissingNode()) {
                throw new GatewayException(Reason.SITE_DATA_INVALID, "no JSON value").answeredToMachinesWith(400);
            }
            text = json.writeValueAsString(parsed);
        } catch (JsonProcessingException e) {
            throw new GatewayException(Reason.SITE_DATA_INVALID, "not JSON").answeredToMachinesWith(400);
        } catch (java.io.IOException e) {
            throw new GatewayException(Reason.SITE_DATA_INVALID, "unreadable").answeredToMachinesWith(400);
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > SiteSignOns.MAX_DATA_BYTES) {
            throw new GatewayException(Reason.SITE_DATA_TOO_LARGE, "data over 4 KB").answeredToMachinesWith(413);
        }
        if (!signOns.putData(site, ssoSession, text)) {
            throw noSession();
        }
        return noStore(Response.noContent());
    }

    private Site client(String authorization) {
        return sites.authenticate(authorization).orElseThrow(() -> {
            Audit.ottRefused("-", Reason.INVALID_CLIENT.code(), "site credentials missing or wrong");
            return new GatewayException(Reason.INVALID_CLIENT, "site credentials missing or wrong");
        });
    }

    private static GatewayException noSession() {
        return new GatewayException(Reason.NO_SESSION, "no live sign-on for this site").answeredToMachinesWith(404);
    }

    private static Response noStore(Response.ResponseBuilder response) {
        return response.header("Cache-Control", "no-store").build();
    }

    // ---- sign-off -----------------------------------------------------------------------------------------------

    /**
     * Ends the member's gateway session (for a disabled site: its own session)
     * and so every site's sign-on, then goes to the return_url. A request another
     * site sent (not the gateway, the community or a configured site) gets a
     * "Sign out?" page first, as {@code /auth/logout} does.
     */
    @GET
    @Path("/logout")
    public Response logout(@QueryParam("site") String siteId, @QueryParam("return_url") String returnUrl,
            @Context HttpHeaders headers, @Context UriInfo uriInfo) {
        return signOff(siteId, returnUrl, null, headers, uriInfo);
    }

    @POST
    @Path("/logout")
    public Response logoutPost(@QueryParam("site") String querySite, @QueryParam("return_url") String queryReturnUrl,
            @FormParam("site") String formSite, @FormParam("return_url") String formReturnUrl,
            @FormParam("csrf") String csrf, @Context HttpHeaders headers, @Context UriInfo uriInfo) {
        return signOff(formSite != null ? formSite : querySite,
                formReturnUrl != null ? formReturnUrl : queryReturnUrl, csrf, headers, uriInfo);
    }

    private Response signOff(String siteId, String returnUrl, String csrf, HttpHeaders headers, UriInfo uriInfo) {
        Site site = site(siteId);
        checkReturnUrl(site, returnUrl);
        String cookieName = site.mode() == Site.Mode.DISABLED ? SsoTargets.boundCookie(site) : Cookies.SESSION;
        String token = headers.getCookies().containsKey(cookieName)
                ? headers.getCookies().get(cookieName).getValue() : null;
        boolean confirmed = token != null && Secrets.constantTimeEquals(
                states.sign(SIGN_OFF_PURPOSE, Secrets.sha256Hex(token) + ":" + site.id()), csrf);
        if (!confirmed) {
            Optional<String> foreign = foreignSignal(headers, uriInfo);
            Optional<SessionService.LiveSession> live = foreign.flatMap(signal -> sessions.check(token));
            if (live.isPresent()) {
                Audit.crossSiteSignOffRefused(live.get().accountId(), foreign.get(), csrf == null ? "missing" : "invalid");
                return html(Pages.siteConfirmSignOff(site.label(), site.id(), returnUrl,
                        states.sign(SIGN_OFF_PURPOSE, Secrets.sha256Hex(token) + ":" + site.id())).render());
            }
        }
        sessions.revoke(token, "sso_sign_off");
        NewCookie cleared = cookieName.equals(Cookies.SESSION) ? cookies.clear(Cookies.SESSION)
                : cookies.sso(cookieName, "", 0);
        return Response.status(Response.Status.FOUND).location(URI.create(returnUrl)).cookie(cleared).build();
    }

    /**
     * The header showing a sign-off was asked for by a page that is neither the
     * gateway's, the community's nor a configured site's; empty when it was (or
     * says nothing: curl, old browsers). Sites are other origins by design, so
     * Origin and Referer decide before {@code Sec-Fetch-Site}.
     */
    private Optional<String> foreignSignal(HttpHeaders headers, UriInfo uriInfo) {
        String origin = headers.getHeaderString("Origin");
        if (origin != null) {
            return trusted(origin, uriInfo) ? Optional.empty() : Optional.of("origin");
        }
        String referer = headers.getHeaderString("Referer");
        if (referer != null) {
            return trusted(referer, uriInfo) ? Optional.empty() : Optional.of("referer");
        }
        String fetchSite = headers.getHeaderString("Sec-Fetch-Site");
        return fetchSite != null && fetchSite.trim().toLowerCase(Locale.ROOT).equals("cross-site")
                ? Optional.of("sec-fetch-site") : Optional.empty();
    }

    private boolean trusted(String url, UriInfo uriInfo) {
        Optional<String> own = Origins.of(urls.base(uriInfo));
        return sites.isSiteOrigin(url) || returnUrls.allowedOrigin(url)
                || (own.isPresent() && own.equals(Origins.of(url)));
    }

    // ---- shared -------------------------------------------------------------------------------------------------

    private Site site(String siteId) {
        return sites.find(siteId).orElseThrow(() -> new GatewayException(Reason.UNKNOWN_SITE,
                "no site '" + (siteId == null ? "" : siteId.replaceAll("[^a-z0-9-]", "?")) + "'"));
    }

    /** A return_url off the site's origin is refused outright: no redirect, so nothing leaks to another place. */
    private static void checkReturnUrl(Site site, String returnUrl) {
        if (!site.accepts(returnUrl)) {
            Audit.returnUrlRefused();
            throw new GatewayException(Reason.INVALID_RETURN_URL, "return_url not on site " + site.id() + "'s origin");
        }
    }

    private static Response html(String page) {
        return Response.ok(page, MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).header("Cache-Control", "no-store")
                .build();
    }
}
