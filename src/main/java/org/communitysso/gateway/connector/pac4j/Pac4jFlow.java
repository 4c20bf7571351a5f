package org.communitysso.gateway.connector.pac4j;

import com.github.scribejava.core.httpclient.jdk.JDKHttpClientConfig;
import com.github.scribejava.core.model.OAuth2AccessTokenErrorResponse;
import com.github.scribejava.core.model.OAuthResponseException;
import com.github.scribejava.core.exceptions.OAuthException;
import com.github.scribejava.core.oauth2.OAuth2Error;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.connector.IdpCalls;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.Urls;
import org.communitysso.gateway.connector.JoseErrors;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.pac4j.core.context.CallContext;
import org.pac4j.core.context.WebContext;
import org.pac4j.core.credentials.Credentials;
import org.pac4j.core.exception.HttpCommunicationException;
import org.pac4j.core.exception.TechnicalException;
import org.pac4j.core.exception.http.RedirectionAction;
import org.pac4j.core.exception.http.WithLocationAction;
import org.pac4j.core.http.callback.CallbackUrlResolver;
import org.pac4j.core.http.url.UrlResolver;
import org.pac4j.core.profile.UserProfile;
import org.pac4j.oauth.client.OAuth20Client;
import org.pac4j.oauth.exception.OAuthCredentialsException;

/**
 * Runs a pac4j OAuth 2.0 client inside the gateway: pac4j builds the
 * authorization redirect, checks the state, exchanges the code and fetches
 * the profile; the gateway keeps what pac4j would keep in a session in its
 * own sign-on state, and turns pac4j's failures into reason codes.
 */
public final class Pac4jFlow {

    static final String CODE_VERIFIER = "gateway.pkce-verifier";
    /** Authorization request parameters the flow sets; configuration may not add them again. */
    public static final java.util.Set<String> PROTOCOL_PARAMETERS = java.util.Set.of("response_type", "client_id",
            "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method");
    private static final String CALLBACK_URL = "gateway.callback-url";
    private static final String STATE = "gateway.state";

    private final String connectorId;
    private final OAuth20Client client;
    private final boolean pkce;

    /** {@code returnPath}: the connector's return path, from the gateway's routes (the full URL comes per request). */
    public Pac4jFlow(String connectorId, String returnPath, OAuth20Client client, boolean pkce, Duration connectTimeout,
            Duration readTimeout) {
        this.connectorId = connectorId;
        this.client = client;
        this.pkce = pkce;
        JDKHttpClientConfig http = JDKHttpClientConfig.defaultConfig();
        http.setConnectTimeout((int) connectTimeout.toMillis());
        http.setReadTimeout((int) readTimeout.toMillis());
        http.setFollowRedirects(false);
        client.getConfiguration().setHttpClientConfig(http);
        // the state is the edge's sign-on id (256 bits), so the edge finds the sign-on by it
        client.getConfiguration().setStateGenerator(call -> {
            Object state = call.webContext().getRequestAttribute(STATE).orElse(null);
            if (!(state instanceof String id)) {
                throw new IllegalStateException("no sign-on state");
            }
            return id;
        });
        client.setName(connectorId);
        client.setCallbackUrl(returnPath);
        client.setCallbackUrlResolver(new RequestCallbackUrl());
        if (pkce) {
            client.setAuthenticator(new PkceAuthenticator(client.getConfiguration(), client));
        }
        client.init();
    }

    /** The authorization redirect, with {@code extraParameters} (e.g. prompt=login) added. */
    public Connector.SignOnStart start(Connector.SignOnRequest request, Map<String, String> extraParameters) {
        StateSessionStore store = new StateSessionStore(Map.of());
        GatewayWebContext context = new GatewayWebContext(Map.of(), request.gatewayReturnUrl());
        context.setRequestAttribute(STATE, request.state());
        RedirectionAction action = client.getRedirectionAction(new CallContext(context, store))
                .orElseThrow(() -> new IllegalStateException("pac4j built no redirect"));
        URI location = URI.create(((WithLocationAction) action).getLocation());
        Map<String, String> protocolData = new HashMap<>(store.values());
        protocolData.put(CALLBACK_URL, request.gatewayReturnUrl());
        if (pkce) {
            String verifier = Secrets.randomId() + Secrets.randomId();
            location = Urls.withParameter(Urls.withParameter(location, "code_challenge", s256(verifier)),
                    "code_challenge_method", "S256");
            protocolData.put(CODE_VERIFIER, verifier);
        }
        for (Map.Entry<String, String> extra : extraParameters.entrySet()) {
            location = Urls.withParameter(location, extra.getKey(), extra.getValue());
        }
        return new Connector.SignOnStart(location, protocolData);
    }

    /** The provider's profile JSON, once state, code and token have all been checked. */
    public Map<String, Object> complete(Connector.Callback callback) {
        if (!callback.solicited() || callback.protocolData().get(CALLBACK_URL) == null) {
            throw new GatewayException(Reason.STATE_INVALID, connectorId, "no sign-on state for this answer");
        }
        // pac4j turns a state mismatch into "no credentials"; check it here to say so
        String expectedState = callback.protocolData().get(client.getStateSessionAttributeName());
        if (expectedState == null || !Secrets.constantTimeEquals(expectedState, callback.parameter("state"))) {
            throw new GatewayException(Reason.STATE_INVALID, connectorId, "state parameter missing or mismatched");
        }
        String error = callback.parameter("error");
        if (error != null) {
            String code = error.length() > 64 ? error.substring(0, 64) : error;
            code = code.replaceAll("[^A-Za-z0-9_.-]", "?");
            throw new GatewayException(Reason.IDP_ERROR, connectorId, "provider answered error=" + code)
                    .withMemberDetail("The identity provider answered: " + code + ".");
        }
        StateSessionStore store = new StateSessionStore(callback.protocolData());
        GatewayWebContext context = new GatewayWebContext(callback.parameters(),
                callback.protocolData().get(CALLBACK_URL));
        String verifier = callback.protocolData().get(CODE_VERIFIER);
        if (verifier != null) {
            context.setRequestAttribute(CODE_VERIFIER, verifier);
        }
        CallContext call = new CallContext(context, store);
        try {
            Credentials credentials = client.getCredentials(call).orElseThrow(() -> new GatewayException(
                    Reason.IDP_ERROR, connectorId, "answer carried no authorization code"));
            Credentials validated = IdpCalls.timeUnchecked(connectorId, "token",
                    () -> client.validateCredentials(call, credentials)).orElseThrow(() ->
                    new GatewayException(Reason.CODE_INVALID, connectorId, "code exchange gave no token"));
            UserProfile profile = IdpCalls.timeUnchecked(connectorId, "userinfo",
                    () -> client.getUserProfile(call, validated)).orElseThrow(() ->
                    new GatewayException(Reason.PROFILE_INVALID, connectorId, "no profile"));
            return RawProfile.of(profile);
        } catch (GatewayException e) {
            throw e;
        } catch (OAuthCredentialsException e) {
            throw new GatewayException(Reason.STATE_INVALID, connectorId, "state parameter missing or mismatched");
        } catch (OAuthResponseException e) {
            throw tokenEndpointRefused(e);
        } catch (HttpCommunicationException e) {
            throw communicationFailed(e);
        } catch (OAuthException e) {
            throw new GatewayException(Reason.IDP_ERROR, connectorId, "unreadable token response");
        } catch (TechnicalException e) {
            if (e.getCause() instanceof OAuthResponseException refused) {
                throw tokenEndpointRefused(refused);
            }
            if (e.getCause() instanceof OAuthException) {
                throw new GatewayException(Reason.IDP_ERROR, connectorId, "unreadable token response");
            }
            Reason reason = JoseErrors.hasCause(e, IOException.class) ? Reason.IDP_UNAVAILABLE : Reason.PROFILE_INVALID;
            throw new GatewayException(reason, connectorId, "pac4j failure: " + e.getClass().getSimpleName());
        } catch (RuntimeException e) {
            // a provider answer pac4j or scribejava could not make sense of
            throw new GatewayException(Reason.IDP_ERROR, connectorId, "unexpected provider answer: "
                    + e.getClass().getSimpleName());
        }
    }

    /** The token endpoint's error answer (RFC 6749 5.2, or a provider's own format such as Facebook's). */
    private GatewayException tokenEndpointRefused(OAuthResponseException e) {
        int status = e.getResponse() == null ? 0 : e.getResponse().getCode();
        if (status >= 500) {
            return new GatewayException(Reason.IDP_UNAVAILABLE, connectorId, "token endpoint answered " + status);
        }
        if (e instanceof OAuth2AccessTokenErrorResponse oauth2) {
            if (oauth2.getError() == OAuth2Error.INVALID_GRANT) {
                return new GatewayException(Reason.CODE_INVALID, connectorId, "token endpoint: invalid_grant");
            }
            return new GatewayException(Reason.IDP_ERROR, connectorId, "token endpoint refused: "
                    + (oauth2.getError() == null ? status : oauth2.getError().getErrorString()));
        }
        return new GatewayException(Reason.IDP_ERROR, connectorId, "token endpoint refused the code (" + status + ")");
    }

    /**
     * A provider call that failed: no answer or a 5xx is "unavailable"; a 4xx
     * (e.g. the profile endpoint refusing the token) is the provider's refusal.
     * pac4j's message quotes the response body, so only the status is logged.
     */
    private GatewayException communicationFailed(HttpCommunicationException e) {
        int status = e.getCode();
        if (status >= 400 && status < 500) {
            return new GatewayException(Reason.IDP_ERROR, connectorId, "provider refused the call (" + status + ")");
        }
        return new GatewayException(Reason.IDP_UNAVAILABLE, connectorId,
                status > 0 ? "provider answered " + status : "provider could not be reached");
    }


    private static String s256(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** redirect_uri is the gateway's return URL for this sign-on, exactly, with no client_name added. */
    private static final class RequestCallbackUrl implements CallbackUrlResolver {
        @Override
        public String compute(UrlResolver urlResolver, String url, String clientName, WebContext context) {
            return ((GatewayWebContext) context).callbackUrl();
        }

        @Override
        public boolean matches(String clientName, WebContext context) {
            return true;
        }
    }
}
