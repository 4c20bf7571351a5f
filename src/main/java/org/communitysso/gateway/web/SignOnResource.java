package org.communitysso.gateway.web;

import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.communitysso.gateway.Secrets;
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
    ReturnUrlPolicy returnUrls;
    @Inject
    SignOnStates states;
    @Inject
    SignOnFlow flow;
    @Inject
    Cookies cookies;
    @Inject
    GatewayUrls urls;

    public record Choice(String id, String label, String icon, String loginUrl) {
    }

    @GET
    @Path("/login")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance signInPage(@QueryParam("return_url") String returnUrl) {
        String target = returnUrls.targetOrLanding(returnUrl);
        List<Choice> choices = registry.signInChoices().stream()
                .map(c -> new Choice(c.id(), c.settings().label(), c.settings().icon().orElse(null),
                        "/auth/" + c.id() + "/login?return_url=" + URLEncoder.encode(target, StandardCharsets.UTF_8)))
                .toList();
        return Pages.signIn(choices);
    }

    @GET
    @Path("/{connector}/login")
    public Response login(@PathParam("connector") String connectorId, @QueryParam("return_url") String returnUrl,
            @QueryParam("prompt") String prompt, @CookieParam(Cookies.SIGN_ON) String existingStates,
            @Context UriInfo uriInfo) {
        Connector connector = registry.require(connectorId);
        String target = returnUrls.targetOrLanding(returnUrl);
        Connector.SignOnStart start = connector.start(new Connector.SignOnRequest(
                urls.returnUrl(connector.id(), uriInfo), "login".equals(prompt)));
        String state = states.create(connector.id(), target, start.protocolData(), existingStates);
        if (start.formPost() != null) {
            return FormPostPage.answer(start.formPost(), cookies.signOn(state));
        }
        return Response.status(Response.Status.FOUND).location(start.redirect()).cookie(cookies.signOn(state)).build();
    }

    @GET
    @Path("/{connector}/return")
    @SignOnAnswer
    public Response returnGet(@PathParam("connector") String pathId, @Context UriInfo uriInfo,
            @CookieParam(Cookies.SIGN_ON) String stateCookie, @CookieParam(Cookies.SESSION) String session) {
        return handleReturn(pathId, single(uriInfo.getQueryParameters()), stateCookie, session, uriInfo);
    }

    @POST
    @Path("/{connector}/return")
    @SignOnAnswer
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response returnPost(@PathParam("connector") String pathId, MultivaluedMap<String, String> form,
            @Context UriInfo uriInfo, @CookieParam(Cookies.SIGN_ON) String stateCookie,
            @CookieParam(Cookies.SESSION) String session) {
        Map<String, String> parameters = single(uriInfo.getQueryParameters());
        parameters.putAll(single(form));
        return handleReturn(pathId, parameters, stateCookie, session, uriInfo);
    }

    private Response handleReturn(String pathId, Map<String, String> parameters, String stateCookie, String session,
            UriInfo uriInfo) {
        Optional<SignOnStates.Candidate> chosen = answered(states.candidates(stateCookie), parameters);
        Optional<SignOnStates.State> state = chosen.map(SignOnStates.Candidate::state);
        String base = urls.base(uriInfo);
        Connector.Callback probe = new Connector.Callback(parameters, Map.of(), false, base);
        Connector connector = registry.isReturnAlias(pathId)
                ? registry.resolveShared(pathId, state.map(SignOnStates.State::connectorId), probe)
                : registry.require(pathId);
        // The state is used up only by the connector it was made for, and only once.
        boolean solicited = state.isPresent() && state.get().connectorId().equals(connector.id())
                && states.consume(chosen.get().reference());
        String left = solicited ? SignOnStates.without(stateCookie, chosen.get().reference()) : stateCookie;
        NewCookie signOnCookie = left == null ? cookies.clear(Cookies.SIGN_ON) : cookies.signOn(left);
        Connector.Callback callback = solicited
                ? new Connector.Callback(parameters, state.get().protocolData(), true, base)
                : probe;
        ExternalIdentity identity = connector.complete(callback);
        // An unsolicited answer may ask for a target (a relay state): checked like any return_url.
        String target = solicited ? state.get().target()
                : identity.requestedTarget() != null ? returnUrls.targetOrLanding(identity.requestedTarget())
                : returnUrls.landingUrl();
        return flow.finish(connector, identity, target, session, signOnCookie);
    }

    /**
     * Which of the browser's sign-ons this answer belongs to: the one whose
     * echoed value (state, RelayState) the answer carries; otherwise the newest,
     * whose connector then judges the answer (the token connector echoes
     * nothing; a mismatched echo is that connector's state_invalid).
     */
    static Optional<SignOnStates.Candidate> answered(List<SignOnStates.Candidate> candidates,
            Map<String, String> parameters) {
        for (SignOnStates.Candidate candidate : candidates) {
            Map<String, String> data = candidate.state().protocolData();
            String parameter = data.get(Connector.ECHO_PARAMETER);
            if (parameter != null && Secrets.constantTimeEquals(data.get(Connector.ECHO_VALUE), parameters.get(parameter))) {
                return Optional.of(candidate);
            }
        }
        return candidates.stream().findFirst();
    }

    /** One value per parameter; a parameter given twice is refused (parameter pollution). */
    private static Map<String, String> single(MultivaluedMap<String, String> values) {
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
