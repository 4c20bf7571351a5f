package org.communitysso.gateway.connector.oauth2;

import com.github.scribejava.core.model.Token;
import com.github.scribejava.core.model.Verb;
import org.communitysso.gateway.connector.pac4j.RawProfile;
import org.pac4j.core.profile.CommonProfile;
import org.pac4j.oauth.config.OAuthConfiguration;
import org.pac4j.oauth.profile.OAuth20Profile;
import org.pac4j.oauth.profile.definition.OAuthProfileDefinition;

/** Fetches the profile from the configured URL and keeps its JSON whole for the gateway's mapping. */
final class RawJsonProfileDefinition extends OAuthProfileDefinition {

    private final String connectorId;
    private final String profileUrl;
    private final Verb verb;

    RawJsonProfileDefinition(String connectorId, String profileUrl, Verb verb) {
        super(parameters -> new OAuth20Profile());
        this.connectorId = connectorId;
        this.profileUrl = profileUrl;
        this.verb = verb;
    }

    @Override
    public Verb getProfileVerb() {
        return verb;
    }

    @Override
    public String getProfileUrl(Token accessToken, OAuthConfiguration configuration) {
        return profileUrl;
    }

    @Override
    public CommonProfile extractUserProfile(String body) {
        return RawProfile.attach(new OAuth20Profile(), body, connectorId);
    }
}
