package org.communitysso.gateway.admin;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import org.communitysso.gateway.account.AccountOperations;
import org.communitysso.gateway.audit.AuditTrail;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorRegistry;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.communitysso.gateway.web.GatewayUrls;
import org.communitysso.gateway.web.JsonErrors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeIn;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The operators' API (SPEC 8): bearer tokens from the operators' IdP (Quarkus OIDC,
 * service application) holding {@code gateway.admin.role} in {@code gateway.admin.roles-claim},
 * or a static API key. Every call is audited naming the operator ({@link AdminAudit}).
 */
@Path("/admin/api")
@RolesAllowed("${gateway.admin.role}")
@JsonErrors
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT",
        description = "Access token from the operators' IdP (gateway.admin.issuer) holding gateway.admin.role")
@SecurityScheme(securitySchemeName = "apiKey", type = SecuritySchemeType.APIKEY, in = SecuritySchemeIn.HEADER,
        apiKeyName = "Authorization", description = "'ApiKey <key>', the key's SHA-256 in gateway.admin.api-key-hashes")
@SecurityRequirement(name = "bearer")
@SecurityRequirement(name = "apiKey")
public class AdminResource {

    @Inject
    AccountOperations accounts;
    @Inject
    ConnectorStatuses statuses;
    @Inject
    ConnectorRegistry registry;
    @Inject
    AuditTrail trail;
    @Inject
    AdminAudit audit;
    @Inject
    ConnectorTests tests;
    @Inject
    GatewayUrls urls;
    @Inject
    SecurityIdentity identity;

    @GET
    @Path("/connectors")
    @Operation(summary = "Every connector with its status, recent sign-ons and last error")
    public List<ConnectorStatuses.Status> connectors(@Context UriInfo uriInfo) {
        return statuses.all(urls.base(uriInfo));
    }

    @POST
    @Path("/connectors/{id}/reapply-role-mapping")
    @Operation(summary = "Recompute IdP-managed roles from the groups each member last brought")
    public Map<String, Object> reapplyRoleMapping(@PathParam("id") String connectorId) {
        Connector connector = connector(connectorId);
        int changed = accounts.reapplyRoleMapping(connector.id(), connector.settings().roleMapping());
        audit.action("reapply_role_mapping", connector.id(), null, changed + " account(s) changed");
        return Map.of("connector", connector.id(), "changed", changed);
    }

    @POST
    @Path("/connectors/{id}/test")
    @Operation(summary = "A short-lived, single-use link that runs a test sign-on through the connector")
    public Map<String, Object> testLink(@PathParam("id") String connectorId, @Context UriInfo uriInfo) {
        Connector connector = registry.require(connectorId);
        ConnectorTests.Ticket ticket = tests.issue(connector.id(), identity.getPrincipal().getName());
        audit.action("connector_test_link", connector.id(), null, null);
        return Map.of("url", urls.base(uriInfo) + "/auth/" + connector.id() + "/test?ticket=" + ticket.value(),
                "expiresAt", ticket.expiresAt());
    }

    @GET
    @Path("/members")
    @Operation(summary = "Members by email (exact), username (prefix), or connector (and externalId)")
    public AccountOperations.Page members(@QueryParam("email") String email, @QueryParam("username") String username,
            @QueryParam("connector") String connector, @QueryParam("externalId") String externalId,
            @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("50") int size) {
        if (externalId != null && connector == null) {
            throw new GatewayException(Reason.INVALID_INPUT, null, "externalId without connector");
        }
        return accounts.search(new AccountOperations.Search(blankToNull(email), blankToNull(username),
                blankToNull(connector), externalId), page, size);
    }

    @GET
    @Path("/members/{userId}")
    @Operation(summary = "The member's record, links, roles and live sessions")
    public AccountOperations.MemberDetail member(@PathParam("userId") String userId) {
        return accounts.member(accountId(userId))
                .orElseThrow(() -> new GatewayException(Reason.MEMBER_NOT_FOUND, null, "no such account"));
    }

    @DELETE
    @Path("/members/{userId}/sessions")
    @Operation(summary = "End every session of the member")
    public Map<String, Object> revokeSessions(@PathParam("userId") String userId) {
        long id = accountId(userId);
        int revoked = accounts.revokeSessions(id);
        audit.action("revoke_sessions", null, id, revoked + " session(s)");
        return Map.of("revoked", revoked);
    }

    @POST
    @Path("/members/{userId}/deactivate")
    @Operation(summary = "Deactivate: sessions end now, sign-ons are refused with account_disabled")
    public Map<String, Object> deactivate(@PathParam("userId") String userId) {
        long id = accountId(userId);
        int revoked = accounts.deactivate(id);
        audit.action("deactivate", null, id, revoked + " session(s) ended");
        return Map.of("active", false, "revoked", revoked);
    }

    @POST
    @Path("/members/{userId}/reactivate")
    @Operation(summary = "Let a deactivated member sign on again")
    public Map<String, Object> reactivate(@PathParam("userId") String userId) {
        long id = accountId(userId);
        accounts.reactivate(id);
        audit.action("reactivate", null, id, null);
        return Map.of("active", true);
    }

    @DELETE
    @Path("/members/{userId}/links/{connector}")
    @Operation(summary = "Unlink a sign-in method (the last one only with force=true)")
    public Map<String, Object> unlink(@PathParam("userId") String userId, @PathParam("connector") String connectorId,
            @QueryParam("force") @DefaultValue("false") boolean force) {
        long id = accountId(userId);
        int revoked = accounts.unlink(id, connectorId, force);
        audit.action("unlink", connectorId, id, (force ? "forced, " : "") + revoked + " session(s) ended");
        return Map.of("unlinked", connectorId, "revoked", revoked);
    }

    public record CommunityRoles(List<String> roles) {
    }

    @PUT
    @Path("/members/{userId}/community-roles")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Set the roles granted inside the community (IdP-managed roles are left alone)")
    public Map<String, Object> setCommunityRoles(@PathParam("userId") String userId, CommunityRoles body) {
        long id = accountId(userId);
        List<String> roles = accounts.setCommunityRoles(id, body == null ? null : body.roles());
        audit.action("set_community_roles", null, id, String.join(",", roles));
        return Map.of("communityRoles", roles);
    }

    @GET
    @Path("/audit")
    @Operation(summary = "Recent audit events, newest first")
    public List<AuditTrail.Stored> audit(@QueryParam("since") String since, @QueryParam("member") String member,
            @QueryParam("connector") String connector, @QueryParam("limit") @DefaultValue("100") int limit) {
        return trail.query(since == null ? null : epochSeconds(since), member == null ? null : accountId(member),
                blankToNull(connector), limit);
    }

    private Connector connector(String id) {
        return registry.find(id).orElseThrow(() -> new GatewayException(Reason.UNKNOWN_CONNECTOR, null,
                "no such connector"));
    }

    private static long accountId(String userId) {
        try {
            return Long.parseLong(userId);
        } catch (NumberFormatException e) {
            throw new GatewayException(Reason.MEMBER_NOT_FOUND, null, "user id is not a number");
        }
    }

    /** Epoch seconds, or an ISO-8601 instant ({@code 2026-11-29T10:00:00Z}). */
    private static long epochSeconds(String since) {
        try {
            return since.chars().allMatch(Character::isDigit) && !since.isEmpty() ? Long.parseLong(since)
                    : Instant.parse(since).getEpochSecond();
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new GatewayException(Reason.INVALID_INPUT, null, "since is neither epoch seconds nor an ISO instant");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
