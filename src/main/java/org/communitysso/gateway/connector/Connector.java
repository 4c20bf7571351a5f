package org.communitysso.gateway.connector;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One configured identity provider. A connector turns a protocol exchange into
 * an {@link ExternalIdentity} and knows nothing of accounts or sessions.
 */
public interface Connector {

    ConnectorSettings settings();

    default String id() {
        return settings().id();
    }

    /** Claim names that fill each user-record field when the mapping says nothing. */
    Map<String, String> defaultMapping();

    /** Where to send the member to sign on, and what to remember to check the answer. */
    SignOnStart start(SignOnRequest request);

    /** Verifies the IdP's answer; throws {@code GatewayException} with a reason code when it is refused. */
    ExternalIdentity complete(Callback callback);

    /**
     * Whether an unsolicited answer arriving at the protocol's shared return URL
     * is meant for this connector (asked only when several connectors share it
     * and no sign-on state names one).
     */
    boolean recognises(Callback callback);

    /**
     * Where to send the member after the local sign-off, if the IdP should end
     * its session too: by default the connector's {@code sign-off-url} with the
     * URL-encoded {@code return_url} (SPEC 2.3), or nowhere.
     */
    default Optional<URI> signOffRedirect(SignOff signOff) {
        return settings().signOffUrl().map(url -> Urls.withParameter(url, "return_url", signOff.returnUrl()));
    }

    /**
     * {@code state}: this sign-on's id, made by the edge. A protocol whose IdP
     * echoes a value (OAuth 2.0 / OIDC {@code state}, SAML {@code RelayState})
     * sends exactly this, and names the parameter in {@link #stateParameter()};
     * the edge finds the sign-on by it.
     */
    record SignOnRequest(String gatewayReturnUrl, boolean forceLogin, String state) {
    }

    /**
     * The answer parameter that echoes {@link SignOnRequest#state()}, if the
     * protocol has one. A connector that names one gets {@code solicited}
     * answers only when the echo matches a sign-on this browser started.
     */
    default Optional<String> stateParameter() {
        return Optional.empty();
    }

    /**
     * Where the member goes next. Usually a redirect; a connector whose protocol
     * needs an HTTP POST to the IdP (SAML HTTP-POST binding) sets {@code formPost}
     * and the edge answers with an auto-submitting form instead.
     */
    record SignOnStart(URI redirect, Map<String, String> protocolData, FormPost formPost) {
        public SignOnStart(URI redirect, Map<String, String> protocolData) {
            this(redirect, protocolData, null);
        }
    }

    /** A form the member's browser posts to the IdP: action URL and hidden fields. */
    record FormPost(URI action, Map<String, String> fields) {
        public FormPost {
            fields = Map.copyOf(fields);
        }
    }

    /**
     * What the IdP sent (query and form parameters) and, for a sign-on the
     * gateway started ({@code solicited}), the protocol data kept with its state. {@code gatewayBaseUrl}
     * is the gateway's external base URL (protocols that check where an answer was addressed).
     */
    record Callback(Map<String, String> parameters, Map<String, String> protocolData, boolean solicited,
            String gatewayBaseUrl) {
        public Callback(Map<String, String> parameters, Map<String, String> protocolData, boolean solicited) {
            this(parameters, protocolData, solicited, null);
        }

        public String parameter(String name) {
            return parameters.get(name);
        }
    }

    /**
     * {@code returnUrl} is absolute and already checked against the return_url
     * policy; {@code keepTarget} stores that target and gives an opaque,
     * single-use id, for protocols that carry state through the IdP (SAML
     * RelayState, OIDC {@code state}) instead of the URL itself. Only those call it.
     * {@code signedOffUrl} is the gateway's fixed URL an IdP may send the member
     * back to after its own sign-off, with that id as {@code state}: the edge
     * sends the member on to the kept target (an IdP needs only this one URL
     * registered, not every community page).
     */
    record SignOff(String returnUrl, String signOffHandle, Supplier<String> keepTarget, String signedOffUrl) {
    }
}
