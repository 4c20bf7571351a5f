package org.communitysso.gateway.web;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.UnsupportedEncodingException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.lang.annotation.Annotation;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.communitysso.gateway.audit.Audit;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.communitysso.gateway.ops.SignOnEvents;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every refusal becomes a page for people or JSON for APIs, with its reason
 * code, and an audit line. Never a stack trace for the member.
 */
public class ErrorResponses {

    private static final Logger LOG = Logger.getLogger(ErrorResponses.class);
    /** Seconds a client should wait before trying again while the database is unavailable. */
    static final String RETRY_AFTER_SECS = "5";
    private static final Set<String> URL_DECODERS = Set.of("java.net.URLDecoder",
            "org.jboss.resteasy.reactive.common.util.URLUtils");

    @Inject
    ReturnUrlPolicy returnUrls;
    @Inject
    Cookies cookies;
    @Inject
    UiSettings ui;
    @Inject
    SignOnEvents signOnEvents;

    @ServerExceptionMapper
    public Response refused(GatewayException e, HttpHeaders headers, ResourceInfo resource) {
        String connector = e.connectorId() == null ? "-" : e.connectorId();
        if (marked(resource, SignOnAnswer.class)) {
            Audit.signOnFailed(connector, e.reason().code(), e.detail());
            signOnEvents.failed(e.connectorId(), e.reason().code(), e.detail());
        } else if (e.reason() != Reason.NO_SESSION) {
            Audit.requestRefused(connector, e.reason().code(), e.detail());
        }
        if (e.machineStatus() != null) {
            return json(Response.status(e.machineStatus()).header("Cache-Control", "no-store"), e.reason());
        }
        return respond(e.reason(), e.memberDetail(), e.target(), headers, resource);
    }

    /**
     * RESTEasy Reactive reports a query or form body that is not valid URL
     * encoding ({@code token=%zz}) as a bare IllegalArgumentException thrown by
     * its URL decoder (or the JDK's): that case is the caller's error, any
     * other IllegalArgumentException is ours.
     */
    @ServerExceptionMapper
    public Response illegalArgument(IllegalArgumentException e, HttpHeaders headers, UriInfo uriInfo,
            ResourceInfo resource) {
        StackTraceElement[] trace = e.getStackTrace();
        if (trace.length > 0 && URL_DECODERS.contains(trace[0].getClassName())) {
            return malformed("request is not valid URL encoding", headers, resource);
        }
        return unexpected(e, headers, uriInfo, resource);
    }

    /** A form body whose Content-Type names a charset the JVM does not know (RESTEasy Reactive's form reader). */
    @ServerExceptionMapper
    public Response unknownCharset(UnsupportedEncodingException e, HttpHeaders headers, ResourceInfo resource) {
        return malformed("request names an unknown charset", headers, resource);
    }

    /** The caller's mistake: one audit line, no stack trace. */
    private Response malformed(String detail, HttpHeaders headers, ResourceInfo resource) {
        Audit.requestRefused("-", Reason.REQUEST_MALFORMED.code(), detail);
        return respond(Reason.REQUEST_MALFORMED, null, null, headers, resource);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, HttpHeaders headers, UriInfo uriInfo, ResourceInfo resource) {
        if (e instanceof WebApplicationException web) {
            return web.getResponse();
        }
        if (databaseUnavailable(e)) {
            // One line, no stack trace: while the database is down every request would log one.
            LOG.warnf("database unavailable on %s: %s", uriInfo.getPath(), e.getMessage());
            Audit.requestRefused("-", Reason.UNAVAILABLE.code(), "database unavailable");
            return respond(Reason.UNAVAILABLE, null, null, headers, resource);
        }
        LOG.error("unexpected failure on " + uriInfo.getPath(), e);
        return respond(Reason.INTERNAL_ERROR, null, null, headers, resource);
    }

    /**
     * The database cannot be reached (down, restarting, pool exhausted): SQL
     * state class 08, a transient connection failure, or the pool's acquisition
     * timeout, anywhere in the cause chain.
     */
    static boolean databaseUnavailable(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLTransientConnectionException || cause instanceof SQLNonTransientConnectionException
                    || cause instanceof SQLRecoverableException
                    || cause instanceof org.hibernate.exception.JDBCConnectionException) {
                return true;
            }
            if (cause instanceof SQLException sql && (sql.getSQLState() != null && sql.getSQLState().startsWith("08")
                    || String.valueOf(sql.getMessage()).contains("acquisition timeout"))) {
                return true;
            }
            if (connectionNotEnlisted(cause)) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    /**
     * A transaction that could not commit because the pool's connection could not be
     * enlisted in it (a broken connection after a database restart): Narayana marks it
     * rollback-only, and Hibernate's find() then answers null instead of throwing
     * (HHH-12472), so only the commit fails, with no SQL exception in the chain. The
     * "setRollbackOnly called from" trace Narayana attaches names the enlistment.
     */
    private static boolean connectionNotEnlisted(Throwable cause) {
        if (!"setRollbackOnly called from:".equals(cause.getMessage())) {
            return false;
        }
        for (StackTraceElement frame : cause.getStackTrace()) {
            if (frame.getMethodName().equals("enlistResource")) {
                return true;
            }
        }
        return false;
    }

    /** {@code target}: where the member was going, if known: "Try again" starts the sign-in over with it. */
    private Response respond(Reason reason, String detail, String target, HttpHeaders headers,
            ResourceInfo resource) {
        Response.ResponseBuilder response = Response.status(reason.status()).header("Cache-Control", "no-store");
        if (reason == Reason.UNAVAILABLE) {
            response.header("Retry-After", RETRY_AFTER_SECS);
        }
        if (reason == Reason.STATE_INVALID || reason == Reason.PENDING_SIGN_ON_INVALID) {
            response.cookie(cookies.clear(Cookies.SIGN_ON), cookies.clear(Cookies.PENDING));
        }
        if (reason == Reason.LINK_INVALID || reason == Reason.LINK_ACCOUNT_MISMATCH || reason == Reason.LINK_REFUSED) {
            response.cookie(cookies.clear(Cookies.LINK));
        }
        if (wantsJson(headers, resource)) {
            return json(response, reason);
        }
        String tryAgain = "/auth/login?return_url=" + URLEncoder.encode(target != null ? target
                : returnUrls.landingUrl(), StandardCharsets.UTF_8);
        String html = Pages.error(ErrorTexts.title(reason), reason.code(), reason.message(), detail,
                ErrorTexts.nextStep(reason, ui.view().supportUrl() != null), tryAgain, returnUrls.landingUrl()).render();
        return response.type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(html).build();
    }

    private static Response json(Response.ResponseBuilder response, Reason reason) {
        return response.type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", reason.code(), "message", reason.message())).build();
    }

    /** Whether the endpoint that refused (its method or class) carries {@code marker}; none matched: no. */
    private static boolean marked(ResourceInfo resource, Class<? extends Annotation> marker) {
        if (resource == null) {
            return false;
        }
        return resource.getResourceMethod() != null && resource.getResourceMethod().isAnnotationPresent(marker)
                || resource.getResourceClass() != null && resource.getResourceClass().isAnnotationPresent(marker);
    }

    private static boolean wantsJson(HttpHeaders headers, ResourceInfo resource) {
        if (marked(resource, JsonErrors.class)) {
            return true;
        }
        List<MediaType> accepted;
        try {
            accepted = headers.getAcceptableMediaTypes();
        } catch (IllegalArgumentException e) {
            return false; // an Accept header that does not parse asks for nothing in particular
        }
        return accepted.stream().findFirst()
                .map(type -> type.isCompatible(MediaType.APPLICATION_JSON_TYPE) && !type.isWildcardType())
                .orElse(false);
    }
}
