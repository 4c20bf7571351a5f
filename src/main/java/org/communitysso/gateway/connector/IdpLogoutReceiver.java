package org.communitysso.gateway.connector;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Optional, next to {@link Connector}: a connector whose IdP can end members'
 * sessions here (OIDC back-channel logout, SAML single logout). The connector
 * verifies the message and says which sessions it names; the edge revokes
 * them and answers. The edge checks for this interface once, never a class.
 */
public interface IdpLogoutReceiver {

    /** The route under {@code /auth/{connector}/} the IdP sends its logout messages to. */
    String logoutPath();

    /** Verifies the IdP's message; throws {@code GatewayException} with a reason code when it is refused. */
    IdpLogout receiveLogout(LogoutMessage message);

    /**
     * What arrived: {@code rawQuery} as sent (a signature may cover it byte for
     * byte), {@code form} the POST fields (one value each), and the gateway's base URL.
     */
    record LogoutMessage(String rawQuery, Map<String, String> form, String gatewayBaseUrl) {
    }

    /**
     * The sessions to end: exactly {@code idpSessionIds}, every one whose IdP
     * session id starts with {@code idpSessionPrefix}, or every one of
     * {@code externalId} at this connector (each may be empty/null). When the
     * member's browser carried the message ({@code frontChannel}) it goes on to
     * {@code redirect}, or else to the sign-off target the edge kept under
     * {@code keptTargetId}; otherwise (server to server) the answer is 200.
     */
    record IdpLogout(List<String> idpSessionIds, String idpSessionPrefix, String externalId, boolean frontChannel,
            URI redirect, String keptTargetId) {

        public static IdpLogout backChannel(List<String> idpSessionIds, String externalId) {
            return new IdpLogout(idpSessionIds, null, externalId, false, null, null);
        }
    }
}
