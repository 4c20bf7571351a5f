package org.communitysso.gateway.connector.pac4j;

import com.github.scribejava.core.oauth.AccessTokenRequestParams;
import com.github.scribejava.core.oauth.OAuth20Service;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import org.pac4j.core.client.IndirectClient;
import org.pac4j.core.context.WebContext;
import org.pac4j.core.credentials.Credentials;
import org.pac4j.core.exception.HttpCommunicationException;
import org.pac4j.oauth.config.OAuth20Configuration;
import org.pac4j.oauth.credentials.OAuth20Credentials;
import org.pac4j.oauth.credentials.authenticator.OAuth20Authenticator;

/**
 * pac4j's code exchange, plus the PKCE {@code code_verifier} (RFC 7636) that
 * pac4j 6 does not send itself. The verifier comes from the sign-on state.
 */
final class PkceAuthenticator extends OAuth20Authenticator {

    PkceAuthenticator(OAuth20Configuration configuration, IndirectClient client) {
        super(configuration, client);
    }

    @Override
    protected void retrieveAccessToken(WebContext context, Credentials credentials) {
        OAuth20Credentials oauth = (OAuth20Credentials) credentials;
        AccessTokenRequestParams params = AccessTokenRequestParams.create(oauth.getCode());
        context.getRequestAttribute(Pac4jFlow.CODE_VERIFIER).ifPresent(v -> params.pkceCodeVerifier((String) v));
        OAuth20Service service = (OAuth20Service) configuration.buildService(context, client);
        try {
            oauth.setAccessToken(OAuth20Credentials.OAuth20AccessToken.from(service.getAccessToken(params)));
        } catch (IOException | ExecutionException e) {
            throw new HttpCommunicationException("Error getting token: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpCommunicationException("interrupted while getting the token");
        }
    }
}
