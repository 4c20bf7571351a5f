package org.communitysso.gateway.web;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorRegistry;
import org.communitysso.gateway.connector.ExternalIdentity;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;

/** Starting a sign-on, and receiving the IdP's answer. */
@Path("/auth")
public class SignOnResource {

    /** Form posts larger than this are refused before any parsing of their content. */
    static final int MAX_PARAMETER_LENGTH = 64 * 1024;

    @Inject
    ConnectorRegistry registry;
    @Inject
    IdpCallLimits idpCalls;
    @Inject
    ReturnUrlPolicy returnUrls;
    @Inject
    SignOnStates states;
    @Inject
    SignOnFlow flow;
    @Inject
    Cookies cookies;
    @Inject
    GatewayUrls urls;
    @Inject
    SignInMethods methods;
    @Inject
    UiSettings ui;
    @Inject
    ConnectorTestRun testRun;

    public record Choice(String id, String label, String icon, String description, String loginUrl) {
    }

    /**
     * The sign-in page; with one sign-in method (and {@code gateway.ui.skip-single-connector}),
     * straight to its IdP, unless {@code choose=1} asks for the page.
     */
    @GET
    @Path("/login")
    public Response signInPage(@QueryParam("return_url") String returnUrl, @QueryParam("prompt") String prompt,
            @QueryParam("choose") String choose) {
        String target = returnUrls.targetOrLanding(returnUrl);
        // a fresh sign-in asked of the sign-in page is asked of whichever IdP the member picks
        String forceLogin = "login".equals(prompt) ? "&prompt=login" : "";
        List<Choice> choices = methods.choices().stream()
                .map(m -> new Choice(m.id(), m.label(), m.icon(), m.description(),
                        "/auth/" + m.id() + "/login?return_url=" + URLEncoder.encode(target, StandardCharsets.UTF_8)
                                + forceLogin))
                .toList();
        if (goStraightToIdp(choices.size(), ui.skipSingleConnector(), choose)) {
            return Response.status(Response.Status.FOUND).location(URI.create(choices.get(0).loginUrl())).build();
        }
        return Response.ok(Pages.signIn(choices).render(), MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).build();
    }

    static boolean goStraightToIdp(int choices, boolean skipSingleConnector, String choose) {
        return choices == 1 && skipSingleConnector && !"1".equals(choose);
    }

    @GET
    @Path("/{connector}/login")
    public Response login(@PathParam("connector") String connectorId, @QueryParam("return_url") String returnUrl,
            @QueryParam("prompt") String prompt, @CookieParam(Cookies.SIGN_ON) String existingStates,
            @Context UriInfo uriInfo) {
        Connector connector = registry.require(connectorId);
        String target = returnUrls.targetOrLanding(returnUrl);
        String id = states.newId();
        Connector.SignOnStart start = idpCalls.call(connector.id(), () -> connector.start(new Connector.SignOnRequest(
                urls.returnUrl(connector, uriInfo), "login".equals(prompt), states.echoValue(id))));
        String state = states.create(id, connector.id(), target, start.protocolData(), existingStates);
        if (start.formPost() != null) {
            return FormPostPage.answer(start.formPost(), cookies.signOn(state));
        }
        return Response.status(Response.Status.FOUND).location(start.redirect()).cookie(cookies.signOn(state)).build();
    }

    @GET
    @Path("/{connector}/return")
    @SignOnAnswer
    public Response returnGet(@PathParam("connector") String pathId, @Context UriInfo uriInfo,
            @CookieParam(Cookies.SIGN_ON) String stateCookie, @CookieParam(Cookies.SESSION) String session,
            @CookieParam(Cookies.LINK) String link) {
        return handleReturn(pathId, single(uriInfo.getQueryParameters()), stateCookie, session, link, uriInfo);
    }

    @POST
    @Path("/{connector}/return")
    @SignOnAnswer
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response returnPost(@PathParam("connector") String pathId, MultivaluedMap<String, String> form,
            @Context UriInfo uriInfo, @CookieParam(Cookies.SIGN_ON) String stateCookie,
            @CookieParam(Cookies.SESSION) String session, @CookieParam(Cookies.LINK) String link) {
        Map<String, String> parameters = single(uriInfo.getQueryParameters());
        for (Map.Entry<String, String> field : single(form).entrySet()) {
            // the same name in the query and the form is the same pollution as a name given twice
            if (parameters.putIfAbsent(field.getKey(), field.getValue()) != null) {
                throw new GatewayException(Reason.TOKEN_MALFORMED, null, "parameter '"
                        + field.getKey().replaceAll("\\W", "?") + "' given in the query and the form");
            }
        }
        return handleReturn(pathId, parameters, stateCookie, session, link, uriInfo);
    }

    private Response handleReturn(String pathSegment, Map<String, String> parameters, String stateCookie,
            String session, String link, UriInfo uriInfo) {
        if (!registry.isReturnAlias(pathSegment)) {
            registry.require(pathSegment);
        }
        List<String> references = states.references(stateCookie);
        Optional<String> echoed = echoed(references, parameters);
        // The answer's own sign-on, found by the value it echoes; else, for protocols
        // that echo nothing (the token connector), the browser's newest sign-on.
        Optional<String> reference = echoed.or(() -> references.stream().findFirst());
        Optional<SignOnStates.State> state = reference.flatMap(r -> states.take(r, connectorId ->
                registry.find(connectorId).filter(c -> registry.serves(pathSegment, c))
                        .filter(c -> echoed.isPresent() || c.stateParameter().isEmpty()).isPresent()));
        String base = urls.base(uriInfo);
        Connector.Callback callback = state
                .map(s -> new Connector.Callback(parameters, s.protocolData(), true, base))
                .orElseGet(() -> new Connector.Callback(parameters, Map.of(), false, base));
        Connector connector = state.isPresent() ? registry.require(state.get().connectorId())
                : registry.isReturnAlias(pathSegment) ? registry.resolveShared(pathSegment, callback)
                : registry.require(pathSegment);
        String left = state.isPresent() ? SignOnStates.without(stateCookie, reference.get()) : stateCookie;
        NewCookie signOnCookie = left == null ? cookies.clear(Cookies.SIGN_ON) : cookies.signOn(left);
        if (state.isPresent() && ConnectorTestRun.isTest(state.get().target())) {
            return testRun.report(connector, callback, state.get().target(), signOnCookie);
        }
        ExternalIdentity identity;
        try {
            identity = idpCalls.call(connector.id(), () -> connector.complete(callback));
        } catch (GatewayException e) {
            throw state.isPresent() ? e.withTarget(state.get().target()) : e;
        }
        // An unsolicited answer may ask for a target (a relay state): checked like any return_url.
        String target = state.isPresent() ? state.get().target()
                : identity.requestedTarget() != null ? returnUrls.targetOrLanding(identity.requestedTarget())
                : returnUrls.landingUrl();
        try {
            return flow.finish(connector, identity, target, session, signOnCookie, link);
        } catch (GatewayException e) {
            throw e.withTarget(target);
        }
    }

    /** The browser's sign-on whose id the answer echoes in a state parameter some connector names. */
    private Optional<String> echoed(List<String> references, Map<String, String> parameters) {
        for (String parameter : registry.stateParameters()) {
            String value = parameters.get(parameter);
            for (String reference : references) {
                if (states.echoes(reference, value)) {
                    return Optional.of(reference);
                }
            }
        }
        return Optional.empty();
    }

    /** One value per parameter; a parameter given twice is refused (parameter pollution). */
    static Map<String, String> single(MultivaluedMap<String, String> values) {
        Map<String, String> single = new HashMap<>();
        values.forEach((name, list) -> {
            if (list.size() > 1) {
                throw new GatewayException(Reason.TOKEN_MALFORMED, null, "parameter '" + name.replaceAll("\\W", "?")
                        + "' given " + list.size() + " times");
            }
            String value = list.isEmpty() ? "" : list.get(0);
            if (value.length() > MAX_PARAMETER_LENGTH) {
                throw new GatewayException(Reason.TOKEN_TOO_LARGE, null, "parameter of " + value.length() + " characters");
            }
            single.put(name, value);
        });
        return single;
    }
}
