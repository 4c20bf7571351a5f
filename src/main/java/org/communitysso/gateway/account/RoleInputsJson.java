package org.communitysso.gateway.account;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.communitysso.gateway.identity.UserRecord;

/** The groups and roles a member last brought through a link, as JSON arrays in its row. */
final class RoleInputsJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RoleInputsJson() {
    }

    /** Records what this sign-on brought; a record without inputs (built by hand) leaves the row as it is. */
    static void store(ExternalLink link, UserRecord.RoleInputs inputs) {
        if (inputs == null) {
            return;
        }
        link.idpGroups = write(inputs.groups());
        link.idpRoles = write(inputs.given());
    }

    static UserRecord.RoleInputs read(ExternalLink link) {
        return new UserRecord.RoleInputs(read(link.idpRoles), read(link.idpGroups));
    }

    private static String write(List<String> values) {
        try {
            return values == null ? null : JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> read(String text) {
        if (text == null) {
            return null;
        }
        try {
            return JSON.readValue(text, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            return null; // unreadable: treated as "nothing known", never as "no roles"
        }
    }
}
