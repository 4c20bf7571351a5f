package org.communitysso.gateway.connector.oidc;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.IdpLogoutReceiver;
import org.communitysso.gateway.connector.ConnectorSettings;
import org.communitysso.gateway.connector.ExternalIdentity;
import org.communitysso.gateway.connector.ReplayGuard;
import org.communitysso.gateway.connector.Urls;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.jboss.logging.Logger;
import org.jose4j.jwt.JwtClaims;

/**
 * OpenID Connect (SPEC 2.1): authorization code flow with state, nonce and
 * PKCE (S256). The state, nonce, PKCE verifier and our redirect_uri are kept
 * with the gateway's sign-on state; the browser only carries the state cookie.
 */
public final class OidcConnector implements Connector, IdpLogoutReceiver, org.communitysso.gateway.connector.IdpProbe {

    private static final Logger LOG = Logger.getLogger(OidcConnector.class);
    private static final Map<String, String> DEFAULT_MAPPING = Map.of("id", "sub", "username", "preferred_username",
            "email", "email", "avatar", "picture", "custom-roles", "customRoles", "groups", "groups");
    /** Claims that describe the token, not the member: never taken from userinfo. */
    private static final java.util.Set<String> TOKEN_CLAIMS = java.util.Set.of(
            "iss", "aud", "azp", "exp", "iat", "nbf", "nonce", "at_hash", "c_hash", "auth_time", "jti", "sid", "sub");
    /** Longest ID token kept as id_token_hint (the sessions column holds 4096). */
    private static final int MAX_HINT_LENGTH = 4096;
    private static final int MAX_CODE_LENGTH = 4096;

    static final String NONCE = "nonce";
    static final String VERIFIER = "code_verifier";
    static final String REDIRECT_URI = "redirect_uri";

    private final ConnectorSettings settings;
    private final OidcSettings oidc;
    private final OidcProvider provider;
    private final OidcTokenVerifier verifier;
    private final ReplayGuard replayGuard;
    private final TimeSource time;

    OidcConnector(ConnectorSettings settings, OidcSettings oidc, OidcProvider provider, ReplayGuard replayGuard,
            TimeSource time) {
        this.settings = settings;
        this.oidc = oidc;
        this.provider = provider;
        this.verifier = new OidcTokenVerifier(settings.id(), oidc, provider::keys);
        this.replayGuard = replayGuard;
        this.time = time;
    }

    @Override
    public void probe() {
        provider.probe();
    }

    @Override
    public ConnectorSettings settings() {
        return settings;
    }

    @Override
    public Map<String, String> defaultMapping() {
        return DEFAULT_MAPPING;
    }

    @Override
    public SignOnStart start(SignOnRequest request) {
        String nonce = Secrets.randomId();
        String codeVerifier = Secrets.randomId();
        URI url = provider.endpoints().authorization();
        url = Urls.withParameter(url, "response_type", "code");
        url = Urls.withParameter(url, "client_id", oidc.clientId());
        url = Urls.withParameter(url, "redirect_uri", request.gatewayReturnUrl());
        url = Urls.withParameter(url, "scope", oidc.scope());
        url = Urls.withParameter(url, "state", request.state());
        url = Urls.withParameter(url, "nonce", nonce);
        url = Urls.withParameter(url, "code_challenge", s256(codeVerifier));
        url = Urls.withParameter(url, "code_challenge_method", "S256");
        if (request.forceLogin()) {
            url = Urls.withParameter(url, "prompt", "login");
        }
        return new SignOnStart(url, Map.of(NONCE, nonce, VERIFIER, codeVerifier, REDIRECT_URI,
                request.gatewayReturnUrl()));
    }

    @Override
    public Optional<String> stateParameter() {
        return Optional.of("state");
    }

    @Override
    public ExternalIdentity complete(Callback callback) {
        // Unlike the token connector, an OIDC answer is never unsolicited: the edge found
        // this browser's sign-on by the echoed state, or there is none.
        if (!callback.solicited()) {
            throw refuse(Reason.STATE_INVALID, "state parameter is missing or names no sign-on of this browser");
        }
        Map<String, String> data = callback.protocolData();
        String error = callback.parameter("error");
        if (error != null) {
            throw refuse(Reason.IDP_ERROR, "IdP answered error=" + error.replaceAll("[^A-Za-z0-9_.-]", "?"));
        }
        String code = callback.parameter("code");
        if (code == null || code.isBlank()) {
            throw refuse(Reason.TOKEN_MISSING, "no code parameter");
        }
        if (code.length() > MAX_CODE_LENGTH) {
            throw refuse(Reason.TOKEN_TOO_LARGE, "code of " + code.length() + " characters");
        }
        long now = time.nowSeconds();
        // A code is single use at the IdP too; refusing it here holds even if the IdP does not.
        if (!replayGuard.firstUse(settings.id(), "code:" + Secrets.sha256Hex(code), now + 3600)) {
            throw refuse(Reason.REPLAYED, "authorization code already used");
        }
        OidcProvider.TokenResponse tokens = provider.redeem(code, data.get(REDIRECT_URI), data.get(VERIFIER));
        JwtClaims idToken = verifier.idToken(tokens.idToken(), data.get(NONCE), tokens.accessToken(), now);
        Map<String, Object> claims = withoutNulls(idToken.getClaimsMap());
        mergeUserInfo(claims, tokens.accessToken());
        dropUnverifiedEmail(claims);
        String sid = claims.get("sid") instanceof String s ? s : null;
        String hint = tokens.idToken().length() <= MAX_HINT_LENGTH ? tokens.idToken() : null;
        return new ExternalIdentity(settings.id(), claims, sid, hint);
    }

    /**
     * At {@code /auth/openidconnect/return} without a state naming the connector,
     * the RFC 9207 {@code iss} parameter (sent by Keycloak, Entra ID…) tells them apart.
     */
    @Override
    public boolean recognises(Callback callback) {
        return oidc.issuer().equals(callback.parameter("iss"));
    }

    /**
     * RP-initiated logout: the IdP's end_session_endpoint with id_token_hint, client_id,
     * post_logout_redirect_uri (the gateway's signed-off URL) and state (the id of the kept target).
     */
    @Override
    public Optional<URI> signOffRedirect(SignOff signOff) {
        Optional<URI> endSession;
        try {
            endSession = provider.endpoints().endSession();
        } catch (GatewayException e) {
            // The local session is already gone; an unreachable IdP must not keep the member here.
            LOG.warnf("connector %s: no IdP sign-off, discovery failed (%s)", settings.id(), e.reason().code());
            endSession = Optional.empty();
        }
        return endSession.or(settings::signOffUrl).map(url -> {
            URI target = url;
            if (signOff.signOffHandle() != null) {
                target = Urls.withParameter(target, "id_token_hint", signOff.signOffHandle());
            }
            target = Urls.withParameter(target, "client_id", oidc.clientId());
            // one fixed URL to register at the IdP; the member's own target waits at the gateway under state
            target = Urls.withParameter(target, "post_logout_redirect_uri", signOff.signedOffUrl());
            return Urls.withParameter(target, "state", signOff.keepTarget().get());
        });
    }

    @Override
    public String logoutPath() {
        return "backchannel-logout";
    }

    /**
     * OpenID Connect Back-Channel Logout 1.0: the IdP posts a {@code logout_token}
     * naming an IdP session ({@code sid}) or, failing that, a user ({@code sub}: every
     * session of theirs here). A refusal is 400 with JSON (section 2.8), whatever its reason.
     */
    @Override
    public IdpLogout receiveLogout(LogoutMessage message) {
        try {
            OidcTokenVerifier.LogoutRequest request = verifyLogoutToken(message.form().get("logout_token"));
            return request.sid() != null ? IdpLogout.backChannel(List.of(request.sid()), null)
                    : IdpLogout.backChannel(List.of(), request.sub());
        } catch (GatewayException e) {
            throw e.answeredToMachinesWith(400);
        }
    }

    private OidcTokenVerifier.LogoutRequest verifyLogoutToken(String logoutToken) {
        if (logoutToken == null || logoutToken.isBlank()) {
            throw refuse(Reason.TOKEN_MISSING, "no logout_token");
        }
        if (logoutToken.length() > 16 * 1024) {
            throw refuse(Reason.TOKEN_TOO_LARGE, "logout_token of " + logoutToken.length() + " characters");
        }
        OidcTokenVerifier.LogoutRequest request = verifier.logoutToken(logoutToken.trim(), time.nowSeconds());
        if (!replayGuard.firstUse(settings.id(), "logout:" + request.jti(), request.keepUntil())) {
            throw refuse(Reason.REPLAYED, "logout token jti already used");
        }
        return request;
    }

    private void mergeUserInfo(Map<String, Object> claims, String accessToken) {
        Optional<URI> endpoint = provider.endpoints().userInfo();
        if (!oidc.userInfo() || endpoint.isEmpty() || accessToken == null) {
            return;
        }
        Map<String, Object> userInfo = provider.userInfo(endpoint.get(), accessToken);
        // Core 5.3.2: the userinfo sub must be the ID token's, else the answer is for someone else.
        if (!claims.get("sub").equals(userInfo.get("sub"))) {
            throw refuse(Reason.USERINFO_MISMATCH, "userinfo sub differs from the ID token's");
        }
        userInfo.forEach((name, value) -> {
            if (value != null && !TOKEN_CLAIMS.contains(name)) {
                claims.put(name, value);
            }
        });
    }

    /**
     * An email the IdP says it has not verified is not the member's for sure:
     * it would otherwise link to, or block, the account of whoever owns it.
     */
    private void dropUnverifiedEmail(Map<String, Object> claims) {
        Object verified = claims.get("email_verified");
        if (Boolean.FALSE.equals(verified) || "false".equals(verified)) {
            claims.remove(settings.mapping().getOrDefault("email", DEFAULT_MAPPING.get("email")));
        }
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> claims) {
        Map<String, Object> copy = new LinkedHashMap<>();
        claims.forEach((name, value) -> {
            if (value != null) {
                copy.put(name, value);
            }
        });
        return copy;
    }

    static String s256(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private GatewayException refuse(Reason reason, String detail) {
        return new GatewayException(reason, settings.id(), detail);
    }
}
