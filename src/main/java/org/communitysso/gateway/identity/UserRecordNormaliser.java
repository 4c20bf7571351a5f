package org.communitysso.gateway.identity;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorSettings;
import org.communitysso.gateway.connector.ExternalIdentity;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.jboss.logging.Logger;

/**
 * Turns a connector's raw claims into the user record, through the
 * connector's mapping (or its defaults), and validates every field.
 */
@ApplicationScoped
public class UserRecordNormaliser {

    private static final Logger LOG = Logger.getLogger(UserRecordNormaliser.class);

    public UserRecord normalise(Connector connector, ExternalIdentity identity) {
        ConnectorSettings settings = connector.settings();
        Map<String, Object> claims = identity.claims();
        Field fields = new Field(settings, connector.defaultMapping(), claims);

        String id = fields.exact("id");
        if (id == null) {
            throw invalid(settings.id(), "id", "is missing");
        }
        check(settings.id(), "id", UserDataRules.idProblem(id));

        // A username the community cannot take is not a reason to refuse the member:
        // it is treated as absent, so a new member chooses one and a returning one keeps theirs.
        String username = fields.text("username");
        if (username != null) {
            username = UserDataRules.normaliseUsername(username);
        }
        String usernameProblem = username == null ? null : UserDataRules.usernameProblem(username);
        if (usernameProblem != null) {
            LOG.warnf("connector %s: field=username %s; the member will choose one", settings.id(), usernameProblem);
            username = null;
        }
        String email = fields.text("email");
        if (email != null) {
            check(settings.id(), "email", UserDataRules.emailProblem(email));
        }
        String avatar = fields.text("avatar");
        if (avatar != null) {
            check(settings.id(), "avatar", UserDataRules.avatarProblem(avatar));
        }
        List<String> given = fields.list("custom-roles");
        List<String> groups = fields.list("groups");
        List<String> roles = roles(settings.roleMapping(), given, groups);
        if (roles != null) {
            for (String role : roles) {
                check(settings.id(), "customRoles", UserDataRules.roleIdProblem(role));
            }
        }
        return new UserRecord(id, username, email, roles, avatar, new UserRecord.RoleInputs(given, groups));
    }

    /** An IdP username the community cannot take, and why (without the value in the text). */
    public record UnusableUsername(String value, String problem) {
    }

    /**
     * The username the IdP sent when {@link #normalise} had to drop it, so the
     * sign-up form can say why and start from it; empty when it was usable or absent.
     */
    public Optional<UnusableUsername> unusableUsername(Connector connector, ExternalIdentity identity) {
        Field fields = new Field(connector.settings(), connector.defaultMapping(), identity.claims());
        String username = fields.text("username");
        if (username == null) {
            return Optional.empty();
        }
        username = UserDataRules.normaliseUsername(username);
        String problem = UserDataRules.usernameProblem(username);
        return problem == null ? Optional.empty() : Optional.of(new UnusableUsername(username, problem));
    }

    /**
     * customRoles as given, plus the roles the role mapping grants for the IdP's groups;
     * null when neither says anything (the account keeps its roles). Also used to apply a
     * changed mapping to the groups a member last brought.
     */
    public static List<String> roles(Map<String, List<String>> roleMapping, List<String> given, List<String> groups) {
        if (given == null && (groups == null || roleMapping.isEmpty())) {
            return null;
        }
        Set<String> roles = new LinkedHashSet<>();
        if (given != null) {
            roles.addAll(given);
        }
        if (groups != null) {
            groups.forEach(group -> roles.addAll(roleMapping.getOrDefault(group, List.of())));
        }
        return List.copyOf(roles);
    }

    private static void check(String connectorId, String field, String problem) {
        if (problem != null) {
            throw invalid(connectorId, field, problem);
        }
    }

    private static GatewayException invalid(String connectorId, String field, String problem) {
        return new GatewayException(Reason.INVALID_USER_DATA, connectorId, "field=" + field + " " + problem)
                .withMemberDetail("The field '" + field + "' " + problem + ".");
    }

    /** Reads a field's claim by its mapped name: the exact claim name first, then a dotted path. */
    private record Field(ConnectorSettings settings, Map<String, String> defaults, Map<String, Object> claims) {

        /**
         * The claim named by the mapping: an exact claim name first, then a
         * JSON pointer ({@code /profile/emails/0/value}) or a dotted path
         * ({@code profile.emails.0.value}) into nested objects and lists.
         */
        Object raw(String field) {
            String name = settings.mapping().getOrDefault(field, defaults.get(field));
            if (name == null) {
                return null;
            }
            if (claims.containsKey(name)) {
                return claims.get(name);
            }
            boolean pointer = name.startsWith("/");
            String[] path = pointer ? name.substring(1).split("/", -1) : name.split("\\.");
            Object current = claims;
            for (String segment : path) {
                String part = pointer ? segment.replace("~1", "/").replace("~0", "~") : segment;
                if (current instanceof Map<?, ?> map) {
                    current = map.get(part);
                } else if (current instanceof List<?> list && part.matches("[0-9]{1,4}")
                        && Integer.parseInt(part) < list.size()) {
                    current = list.get(Integer.parseInt(part));
                } else {
                    return null;
                }
            }
            return current;
        }

        String text(String field) {
            String text = exact(field);
            return text == null || text.isBlank() ? null : text.trim();
        }

        /** The value exactly as sent: ids are opaque, so never trimmed or folded. */
        String exact(String field) {
            Object value = raw(field);
            if (value == null) {
                return null;
            }
            if (!(value instanceof String || value instanceof Number)) {
                throw invalid(settings.id(), field, "is not a string");
            }
            return value.toString();
        }

        /** A comma-separated string ("1, 2, 3") or a JSON array; null when absent. */
        List<String> list(String field) {
            Object value = raw(field);
            if (value == null) {
                return null;
            }
            List<String> items = new ArrayList<>();
            if (value instanceof Collection<?> collection) {
                for (Object item : collection) {
                    if (!(item instanceof String || item instanceof Number)) {
                        throw invalid(settings.id(), field, "holds an item that is not a string or number");
                    }
                    items.add(item.toString().trim());
                }
            } else if (value instanceof String || value instanceof Number) {
                for (String part : value.toString().split(",")) {
                    items.add(part.trim());
                }
            } else {
                throw invalid(settings.id(), field, "is not a comma-separated string or a list");
            }
            items.removeIf(String::isEmpty);
            return items;
        }
    }
}
