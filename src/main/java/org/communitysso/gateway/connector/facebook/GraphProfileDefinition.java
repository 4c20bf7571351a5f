package org.communitysso.gateway.connector.facebook;

import com.github.scribejava.core.model.Token;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.communitysso.gateway.connector.pac4j.RawProfile;
import org.pac4j.oauth.config.OAuthConfiguration;
import org.pac4j.oauth.profile.facebook.FacebookProfile;
import org.pac4j.oauth.profile.facebook.FacebookProfileDefinition;

/**
 * pac4j's Facebook profile request (fields, appsecret_proof), sent to the
 * configured Graph API version and host, with the JSON kept whole.
 */
final class GraphProfileDefinition extends FacebookProfileDefinition {

    private static final Pattern PAC4J_GRAPH_BASE = Pattern.compile("^https://graph\\.facebook\\.com/v[0-9.]+");

    private final String connectorId;
    private final String graphBase;

    GraphProfileDefinition(String connectorId, String graphApiUrl, String version) {
        this.connectorId = connectorId;
        this.graphBase = graphApiUrl + "/" + version;
    }

    @Override
    public String getProfileUrl(Token accessToken, OAuthConfiguration configuration) {
        String url = super.getProfileUrl(accessToken, configuration);
        return PAC4J_GRAPH_BASE.matcher(url).replaceFirst(Matcher.quoteReplacement(graphBase));
    }

    @Override
    public FacebookProfile extractUserProfile(String body) {
        FacebookProfile profile = new FacebookProfile();
        RawProfile.attach(profile, body, connectorId);
        return profile;
    }
}
