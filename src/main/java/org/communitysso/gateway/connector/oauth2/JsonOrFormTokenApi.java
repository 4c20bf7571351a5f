package org.communitysso.gateway.connector.oauth2;

import com.github.scribejava.core.extractors.OAuth2AccessTokenExtractor;
import com.github.scribejava.core.extractors.OAuth2AccessTokenJsonExtractor;
import com.github.scribejava.core.extractors.TokenExtractor;
import com.github.scribejava.core.model.OAuth2AccessToken;
import com.github.scribejava.core.model.OAuth2AccessTokenErrorResponse;
import com.github.scribejava.core.model.OAuthResponseException;
import com.github.scribejava.core.model.Response;
import com.github.scribejava.core.oauth2.OAuth2Error;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.pac4j.scribe.builder.api.GenericApi20;

/**
 * pac4j's generic API, reading the token answer as JSON (RFC 6749) or as a
 * form-encoded body, which some providers (GitHub among them) send unless
 * asked otherwise, errors included.
 */
final class JsonOrFormTokenApi extends GenericApi20 {

    JsonOrFormTokenApi(String authorizationUrl, String tokenUrl) {
        super(authorizationUrl, tokenUrl);
    }

    @Override
    public TokenExtractor<OAuth2AccessToken> getAccessTokenExtractor() {
        return JsonOrFormTokenApi::extract;
    }

    private static OAuth2AccessToken extract(Response response) throws IOException {
        String body = response.getBody();
        boolean json = body != null && body.trim().startsWith("{");
        if (response.getCode() != 200 && !json) {
            // a maintenance page or a proxy error: the status says what happened
            throw new OAuthResponseException(response);
        }
        if (body == null || body.isBlank() || body.trim().startsWith("{")) {
            return OAuth2AccessTokenJsonExtractor.instance().extract(response);
        }
        Map<String, String> form = new HashMap<>();
        for (String pair : body.trim().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        if (form.containsKey("error")) {
            throw new OAuth2AccessTokenErrorResponse(error(form.get("error")), null, null, response);
        }
        return OAuth2AccessTokenExtractor.instance().extract(response);
    }

    /** GitHub says bad_verification_code where RFC 6749 says invalid_grant. */
    private static OAuth2Error error(String code) {
        if ("bad_verification_code".equals(code)) {
            return OAuth2Error.INVALID_GRANT;
        }
        try {
            return OAuth2Error.parseFrom(code);
        } catch (IllegalArgumentException e) {
            return OAuth2Error.INVALID_REQUEST;
        }
    }
}
