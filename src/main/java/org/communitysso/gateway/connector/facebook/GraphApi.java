package org.communitysso.gateway.connector.facebook;

import com.github.scribejava.apis.FacebookApi;
import com.github.scribejava.apis.facebook.FacebookAccessTokenJsonExtractor;
import com.github.scribejava.core.extractors.TokenExtractor;
import com.github.scribejava.core.model.OAuth2AccessToken;
import com.github.scribejava.core.model.OAuthResponseException;
import com.github.scribejava.core.model.Response;
import java.io.IOException;

/** scribejava's Facebook API with a configurable Graph API version and hosts (a stand-in in tests). */
final class GraphApi extends FacebookApi {

    private final String version;
    private final String graphApiUrl;
    private final String dialogUrl;

    GraphApi(String version, String graphApiUrl, String dialogUrl) {
        super(version);
        this.version = version;
        this.graphApiUrl = graphApiUrl;
        this.dialogUrl = dialogUrl;
    }

    @Override
    public String getAccessTokenEndpoint() {
        return graphApiUrl + "/" + version + "/oauth/access_token";
    }

    @Override
    protected String getAuthorizationBaseUrl() {
        return dialogUrl + "/" + version + "/dialog/oauth";
    }

    @Override
    public TokenExtractor<OAuth2AccessToken> getAccessTokenExtractor() {
        return TokenErrors.INSTANCE;
    }

    /**
     * scribejava's Facebook extractor reads a non-200 answer as Facebook's error JSON and fails with a
     * NullPointerException or IllegalArgumentException when the body is empty, not JSON, or lacks a field
     * (fbtrace_id, say), which the flow could only call idp_error. A failed token call always ends here as an {@link OAuthResponseException}
     * carrying the HTTP status, so the flow can tell a 5xx (unavailable) from a 4xx (refused).
     */
    static final class TokenErrors extends FacebookAccessTokenJsonExtractor {

        static final TokenErrors INSTANCE = new TokenErrors();

        /** scribejava refuses an empty body before it looks at the status; the status comes first here. */
        @Override
        public OAuth2AccessToken extract(Response response) throws IOException {
            if (response.getCode() != 200) {
                generateError(response);
            }
            return super.extract(response);
        }

        @Override
        public void generateError(Response response) throws IOException {
            if (response.getCode() >= 500) {
                throw new OAuthResponseException(response);
            }
            try {
                super.generateError(response);
            } catch (OAuthResponseException e) {
                throw e;
            } catch (IOException | RuntimeException unreadable) {
                throw new OAuthResponseException(response);
            }
        }
    }
}
