package org.communitysso.gateway.connector.facebook;

import org.pac4j.oauth.client.FacebookClient;

/** pac4j's FacebookClient, with our Graph API (version, hosts) and profile definition put in after its own set-up. */
final class GatewayFacebookClient extends FacebookClient {

    private final GraphApi api;
    private final GraphProfileDefinition profileDefinition;

    GatewayFacebookClient(String appId, String appSecret, GraphApi api, GraphProfileDefinition profileDefinition) {
        super(appId, appSecret);
        this.api = api;
        this.profileDefinition = profileDefinition;
    }

    @Override
    protected void internalInit(boolean forceReinit) {
        super.internalInit(forceReinit);
        getConfiguration().setApi(api);
        getConfiguration().setProfileDefinition(profileDefinition);
    }
}
