package org.communitysso.gateway.connector.facebook;

import com.github.scribejava.apis.FacebookApi;

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
}
