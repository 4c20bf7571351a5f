package org.communitysso.gateway.connector.pac4j;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.pac4j.core.profile.CommonProfile;
import org.pac4j.core.profile.UserProfile;

/**
 * The provider's profile JSON as it came, kept on pac4j's profile so the
 * gateway's own mapping (dotted paths, JSON pointers) reads it, not pac4j's.
 */
public final class RawProfile {

    static final String ATTRIBUTE = "gateway.raw-profile";
    private static final ObjectMapper JSON = new ObjectMapper();

    private RawProfile() {
    }

    /** Parses {@code body}; a profile that is not a JSON object is refused as {@code profile_invalid}. */
    public static CommonProfile attach(CommonProfile profile, String body, String connectorId) {
        Map<String, Object> raw;
        try {
            raw = JSON.readValue(body, new TypeReference<Map<String, Object>>() { });
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new GatewayException(Reason.PROFILE_INVALID, connectorId, "profile response is not a JSON object");
        }
        if (raw == null) {
            throw new GatewayException(Reason.PROFILE_INVALID, connectorId, "profile response is empty");
        }
        profile.addAttribute(ATTRIBUTE, raw);
        return profile;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> of(UserProfile profile) {
        Object raw = profile.getAttribute(ATTRIBUTE);
        return raw instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }
}
