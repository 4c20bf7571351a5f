package org.communitysso.gateway.account;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.communitysso.gateway.identity.UserDataRules;
import org.communitysso.gateway.identity.UserRecord;
import org.communitysso.gateway.identity.UserRecordNormaliser;
import org.communitysso.gateway.session.SessionService;

/**
 * What an operator does to an account without the member signing on: find,
 * end sessions, deactivate, unlink, set community roles, re-apply a changed
 * role mapping. Each change commits first, then sessions end through
 * {@link SessionService} and caches are told ({@code accountChanged}).
 */
@ApplicationScoped
public class AccountOperations {

    public static final int MAX_PAGE_SIZE = 100;

    private final TimeSource time;
    private final SessionService sessions;

    @Inject
    public AccountOperations(TimeSource time, SessionService sessions) {
        this.time = time;
        this.sessions = sessions;
    }

    public record MemberSummary(long id, String username, String email, boolean active) {
    }

    public record Page(List<MemberSummary> items, int page, int size, long total) {
    }

    public record LinkView(String connector, String externalId, long linkedAt, long lastSignOnAt) {
    }

    public record MemberDetail(long id, String username, String email, boolean emailVerified, String avatar,
            boolean active, Long deactivatedAt, long createdAt, long updatedAt, List<LinkView> links,
            List<String> idpRoles, List<String> communityRoles, List<SessionService.SessionSummary> sessions) {
    }

    /** Who to look for: one of email (exact), username (prefix), connector (and externalId, exact). */
    public record Search(String email, String username, String connector, String externalId) {
    }

    public Page search(Search search, int page, int size) {
        int pageSize = Math.max(1, Math.min(size, MAX_PAGE_SIZE));
        int pageIndex = Math.max(0, page);
        return QuarkusTransaction.requiringNew().call(() -> {
            List<Account> found;
            long total;
            if (search.email() != null) {
                found = Account.findByEmail(search.email()).stream().toList();
                total = found.size();
            } else if (search.connector() != null && search.externalId() != null) {
                found = ExternalLink.find(search.connector(), search.externalId())
                        .map(link -> Account.<Account>findById(link.accountId)).stream().toList();
                total = found.size();
            } else if (search.connector() != null) {
                String jpql = "from Account a where exists (select 1 from ExternalLink l where l.accountId = a.id "
                        + "and l.connectorId = ?1)";
                total = Account.count(jpql.replace("from Account a", "select count(a) from Account a"),
                        search.connector());
                found = Account.<Account>find(jpql + " order by a.id", search.connector())
                        .page(pageIndex, pageSize).list();
            } else if (search.username() != null) {
                // a prefix of the canonical key; LIKE wildcards in the input are escaped
                String key = UserDataRules.usernameKey(search.username()).replace("\\", "\\\\").replace("%", "\\%")
                        .replace("_", "\\_");
                total = Account.count("usernameKey like ?1", key + "%");
                found = Account.<Account>find("usernameKey like ?1 order by usernameKey", key + "%")
                        .page(pageIndex, pageSize).list();
            } else {
                throw new GatewayException(Reason.INVALID_INPUT, null, "no search criterion")
                        .withMemberDetail("Give email, username, or connector (with externalId).");
            }
            return new Page(found.stream().map(a -> new MemberSummary(a.id, a.username, a.email, a.active)).toList(),
                    pageIndex, pageSize, total);
        });
    }

    public Optional<MemberDetail> member(long accountId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Account account = Account.findById(accountId);
            if (account == null) {
                return Optional.empty();
            }
            List<LinkView> links = ExternalLink.ofAccount(accountId).stream()
                    .sorted(Comparator.comparingLong(l -> l.createdAt))
                    .map(l -> new LinkView(l.connectorId, l.externalId, l.createdAt, l.lastSignOnAt)).toList();
            return Optional.of(new MemberDetail(account.id, account.username, account.email, account.emailVerified,
                    account.avatar, account.active, account.deactivatedAt, account.createdAt, account.updatedAt,
                    links, roles(accountId, RoleGrant.IDP), roles(accountId, RoleGrant.COMMUNITY),
                    sessions.liveSessions(accountId)));
        });
    }

    /** Ends every session of the account; returns how many. */
    public int revokeSessions(long accountId) {
        requireAccount(accountId);
        return sessions.revokeAll(accountId, "operator");
    }

    /**
     * Deactivates the account: its sign-ons are refused ({@code account_disabled}) and its
     * sessions end now. The row lock makes a sign-on in flight either see the change or
     * commit before it, so its session is among those ended. Returns the sessions ended.
     */
    public int deactivate(long accountId) {
        QuarkusTransaction.requiringNew().run(() -> {
            if (lockAccount(accountId)) {
                Account.setActive(accountId, false, time.nowSeconds());
            }
        });
        int revoked = sessions.revokeAll(accountId, "deactivated");
        sessions.accountChanged(accountId);
        return revoked;
    }

    public void reactivate(long accountId) {
        QuarkusTransaction.requiringNew().run(() -> {
            lockAccount(accountId);
            Account.setActive(accountId, true, time.nowSeconds());
        });
        sessions.accountChanged(accountId);
    }

    /**
     * Removes the account's link to a connector and ends the sessions opened through it. The
     * last link is kept unless {@code force}: without one the member cannot sign in again.
     */
    public int unlink(long accountId, String connectorId, boolean force) {
        ExternalLink removed = QuarkusTransaction.requiringNew().call(() -> {
            lockAccount(accountId);
            List<ExternalLink> links = ExternalLink.ofAccount(accountId);
            ExternalLink link = links.stream().filter(l -> l.connectorId.equals(connectorId)).findFirst()
                    .orElseThrow(() -> new GatewayException(Reason.LINK_NOT_FOUND, connectorId,
                            "account " + accountId + " has no link to the connector"));
            if (links.size() == 1 && !force) {
                throw new GatewayException(Reason.LAST_SIGN_IN_METHOD, connectorId,
                        "account " + accountId + " would have no sign-in method left");
            }
            link.delete();
            return link;
        });
        int revoked = sessions.revokeByExternalId(removed.connectorId, removed.externalId, "unlinked");
        sessions.accountChanged(accountId);
        return revoked;
    }

    /** The roles granted inside the community become exactly {@code roles}; IdP-managed ones stay. */
    public List<String> setCommunityRoles(long accountId, List<String> roles) {
        if (roles == null) {
            throw new GatewayException(Reason.INVALID_INPUT, null, "roles missing")
                    .withMemberDetail("Send {\"roles\": [...]}.");
        }
        for (String role : roles) {
            String problem = role == null ? "is null" : UserDataRules.roleIdProblem(role);
            if (problem != null) {
                throw new GatewayException(Reason.INVALID_INPUT, null, "role id " + problem)
                        .withMemberDetail("Each role id must be 1-64 of A-Z, a-z, 0-9, _ and -.");
            }
        }
        Set<String> wanted = new LinkedHashSet<>(roles);
        QuarkusTransaction.requiringNew().run(() -> {
            lockAccount(accountId);
            Set<String> missing = new HashSet<>(wanted);
            for (RoleGrant grant : RoleGrant.of(accountId, RoleGrant.COMMUNITY)) {
                if (!missing.remove(grant.key.roleId())) {
                    grant.delete();
                }
            }
            long now = time.nowSeconds();
            for (String role : missing) {
                RoleGrant grant = new RoleGrant();
                grant.key = new RoleGrant.Key(accountId, role, RoleGrant.COMMUNITY);
                grant.grantedAt = now;
                grant.persist();
            }
        });
        sessions.accountChanged(accountId);
        return roles(accountId, RoleGrant.COMMUNITY);
    }

    /**
     * Recomputes the IdP-managed roles of every member whose current roles came from this
     * connector (their most recent sign-on was through it) from the groups and roles they
     * last brought, under {@code roleMapping}. Members who never brought any keep theirs.
     * Returns the accounts whose roles changed.
     */
    public int reapplyRoleMapping(String connectorId, Map<String, List<String>> roleMapping) {
        List<Long> changed = new ArrayList<>();
        List<ExternalLink> links = QuarkusTransaction.requiringNew().call(() -> ExternalLink.ofConnector(connectorId));
        for (ExternalLink link : links) {
            UserRecord.RoleInputs inputs = RoleInputsJson.read(link);
            List<String> roles = UserRecordNormaliser.roles(roleMapping, inputs.given(), inputs.groups());
            if (roles == null || roles.stream().anyMatch(r -> UserDataRules.roleIdProblem(r) != null)) {
                continue;
            }
            boolean didChange = QuarkusTransaction.requiringNew().call(() -> {
                if (Account.lockActive(link.accountId) == null || !isLatestLink(link)) {
                    return false;
                }
                Set<String> before = new HashSet<>(roles(link.accountId, RoleGrant.IDP));
                if (before.equals(new HashSet<>(roles))) {
                    return false;
                }
                AccountService.replaceIdpRoles(link.accountId, roles, time.nowSeconds());
                return true;
            });
            if (didChange) {
                changed.add(link.accountId);
            }
        }
        changed.forEach(sessions::accountChanged);
        return changed.size();
    }

    /**
     * At start-up: re-applies a connector's role mapping when it differs from the one
     * last applied (by hash). Returns the accounts changed, or -1 when the mapping is unchanged.
     */
    public int reapplyIfChanged(String connectorId, Map<String, List<String>> roleMapping) {
        String hash = mappingHash(roleMapping);
        boolean same = QuarkusTransaction.requiringNew().call(() -> {
            RoleMappingVersion known = RoleMappingVersion.findById(connectorId);
            return known != null && known.connectorId.equals(connectorId) && hash.equals(known.mappingHash);
        });
        if (same) {
            return -1;
        }
        int changed = reapplyRoleMapping(connectorId, roleMapping);
        QuarkusTransaction.requiringNew().run(() -> {
            RoleMappingVersion version = RoleMappingVersion.findById(connectorId);
            if (version == null) {
                version = new RoleMappingVersion();
                version.connectorId = connectorId;
            }
            version.mappingHash = hash;
            version.appliedAt = time.nowSeconds();
            version.persist();
        });
        return changed;
    }

    /** Canonical form: groups sorted, each group's roles sorted. */
    static String mappingHash(Map<String, List<String>> roleMapping) {
        StringBuilder canonical = new StringBuilder();
        new java.util.TreeMap<>(roleMapping).forEach((group, roles) -> canonical.append(group.length()).append(':')
                .append(group).append('=').append(String.join(",", roles.stream().sorted().toList())).append('\n'));
        return org.communitysso.gateway.Secrets.sha256Hex(canonical.toString());
    }

    /** Whether the member's roles were last set through this link (no other link signed on later). */
    private static boolean isLatestLink(ExternalLink link) {
        return ExternalLink.ofAccount(link.accountId).stream()
                .noneMatch(other -> !other.id.equals(link.id) && other.lastSignOnAt > link.lastSignOnAt);
    }

    private static List<String> roles(long accountId, String source) {
        return RoleGrant.of(accountId, source).stream().map(g -> g.key.roleId()).sorted().toList();
    }

    /** Locks the account's row for the rest of the transaction; whether it is active. */
    private static boolean lockAccount(long accountId) {
        Boolean active = Account.lockActive(accountId);
        if (active == null) {
            throw new GatewayException(Reason.MEMBER_NOT_FOUND, null, "no account " + accountId);
        }
        return active;
    }

    private void requireAccount(long accountId) {
        QuarkusTransaction.requiringNew().run(() -> {
            if (Account.findById(accountId) == null) {
                throw new GatewayException(Reason.MEMBER_NOT_FOUND, null, "no account " + accountId);
            }
        });
    }
}
