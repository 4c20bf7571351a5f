package org.communitysso.gateway.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ExternalIdentity;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.identity.UserRecord;
import org.communitysso.gateway.identity.UserRecordNormaliser;
import org.jboss.logging.Logger;

/**
 * A test sign-on (admin only, {@code GET /auth/{id}/test?ticket=…}): the IdP's answer is
 * verified as for any sign-on, then shown instead of used. Nothing is provisioned, linked or
 * sessioned; claim values that are secrets or tokens are redacted.
 */
@ApplicationScoped
public class ConnectorTestRun {

    /**
     * The sign-on state target that marks a test run. Members cannot have it: a target
     * always passed the return_url policy (a path or an allowed origin).
     */
    static final String TARGET_PREFIX = "connector-test:";
    private static final Logger AUDIT = Logger.getLogger("audit");
    private static final Pattern SECRET_NAME = Pattern.compile(
            ".*(token|secret|password|passwd|assertion|code|signature|nonce|hash|key|credential|session).*");
    private static final Pattern JWT_LIKE = Pattern.compile("[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Inject
    UserRecordNormaliser normaliser;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance report(String connector, String label, boolean passed, String reason,
                String reasonMessage, String claims, UserRecord record, String roles, String operator);
    }

    static String target(String operator) {
        return TARGET_PREFIX + operator;
    }

    static boolean isTest(String target) {
        return target != null && target.startsWith(TARGET_PREFIX);
    }

    Response report(Connector connector, Connector.Callback callback, String target, NewCookie signOnCookie) {
        String operator = target.substring(TARGET_PREFIX.length());
        ExternalIdentity identity = null;
        UserRecord record = null;
        GatewayException refusal = null;
        try {
            identity = connector.complete(callback);
            record = normaliser.normalise(connector, identity);
        } catch (GatewayException e) {
            refusal = e;
        }
        String reason = refusal == null ? null : refusal.reason().code();
        AUDIT.infof("event=connector_test connector=%s operator=\"%s\" outcome=%s reason=%s", connector.id(),
                operator.replaceAll("[\\p{Cntrl}\"]", "?"), refusal == null ? "success" : "failure",
                reason == null ? "-" : reason);
        String claims = identity == null ? null : json(redact(identity.claims()));
        String roles = record == null ? null : record.customRoles() == null
                ? "(the IdP said nothing about roles: a member's roles would stay as they are)"
                : record.customRoles().isEmpty() ? "(none)" : String.join(", ", record.customRoles());
        String html = Templates.report(connector.id(), connector.settings().label(), refusal == null, reason,
                refusal == null ? null : refusal.reason().message() + " (" + refusal.detail() + ")", claims, record,
                roles, operator).render();
        return Response.ok(html, MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).header("Cache-Control", "no-store")
                .cookie(signOnCookie).build();
    }

    /** Claims with the values of secret-looking names, and anything shaped like a JWT, replaced. */
    static Object redact(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new TreeMap<>();
            map.forEach((name, item) -> copy.put(String.valueOf(name),
                    SECRET_NAME.matcher(String.valueOf(name).toLowerCase(Locale.ROOT)).matches() ? "[redacted]"
                            : redact(item)));
            return copy;
        }
        if (value instanceof Collection<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(item -> copy.add(redact(item)));
            return copy;
        }
        if (value instanceof String text && JWT_LIKE.matcher(text).matches()) {
            return "[redacted]";
        }
        return value == null || value instanceof Number || value instanceof Boolean || value instanceof String ? value
                : String.valueOf(value);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return "(not printable)";
        }
    }
}
