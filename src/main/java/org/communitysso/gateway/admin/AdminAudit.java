package org.communitysso.gateway.admin;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.UriInfo;
import org.communitysso.gateway.audit.AuditTrail;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * One audit line (and one stored event) per admin API call, naming the operator (the
 * token's subject, or {@code api-key:<hash prefix>}), the route, the answer and what the
 * call did. Refused calls are audited too, with operator {@code -} when none was proven.
 * Query strings are not logged: they may hold an email.
 */
@RequestScoped
public class AdminAudit {

    private static final Logger LOG = Logger.getLogger("audit");

    @Inject
    AuditTrail trail;
    @Inject
    CurrentIdentityAssociation identities;

    private String action;
    private String connectorId;
    private Long accountId;
    private String detail;
    private boolean written;

    /** What the call did, for its audit line. */
    public void action(String action, String connectorId, Long accountId, String detail) {
        this.action = action;
        this.connectorId = connectorId;
        this.accountId = accountId;
        this.detail = detail;
    }

    String operator() {
        try {
            SecurityIdentity identity = identities.getIdentity();
            return identity == null || identity.isAnonymous() ? "-" : identity.getPrincipal().getName();
        } catch (RuntimeException e) {
            return "-"; // credentials that did not authenticate
        }
    }

    @ServerResponseFilter
    public void log(ContainerRequestContext request, ContainerResponseContext response, ResourceInfo resource) {
        String path = request.getUriInfo().getPath();
        if (path.startsWith("/admin/")) {
            write(request.getMethod(), request.getUriInfo(), response.getStatus(), operator());
        }
    }

    /** A call refused before it reached the API (no or bad credentials, no role). */
    void refused(String method, UriInfo uri, int status, String operator) {
        write(method, uri, status, operator);
    }

    private void write(String method, UriInfo uri, int status, String operator) {
        if (written) {
            return; // a refusal can reach both the exception mapper and the filter
        }
        written = true;
        String path = uri.getPath();
        if (accountId == null) {
            // a refused call names the member it was about, so it shows in that member's audit
            String userId = uri.getPathParameters().getFirst("userId");
            if (userId != null && userId.matches("[0-9]{1,18}")) {
                accountId = Long.parseLong(userId);
            }
        }
        String outcome = status < 400 ? "success" : "failure";
        String route = method + " " + path;
        String event = action == null ? "admin_call" : "admin_" + action;
        if (status < 400) {
            LOG.infof("event=%s operator=\"%s\" route=\"%s\" status=%d connector=%s account=%s detail=\"%s\"", event,
                    clean(operator), clean(route), status, connectorId == null ? "-" : connectorId,
                    accountId == null ? "-" : accountId, clean(detail));
        } else {
            LOG.warnf("event=%s outcome=failure operator=\"%s\" route=\"%s\" status=%d", event, clean(operator),
                    clean(route), status);
        }
        trail.record(new AuditTrail.Entry(event, outcome, connectorId, accountId, operator,
                status < 400 ? null : String.valueOf(status), route + " " + status + (detail == null ? "" : ": " + detail)));
    }

    private static String clean(String text) {
        if (text == null) {
            return "";
        }
        String oneLine = text.replaceAll("[\\p{Cntrl}\"]", "?");
        return oneLine.length() > 200 ? oneLine.substring(0, 200) : oneLine;
    }
}
