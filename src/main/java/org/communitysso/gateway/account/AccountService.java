package org.communitysso.gateway.account;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.audit.Audit;
import org.communitysso.gateway.config.GatewayConfig;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.communitysso.gateway.identity.UserDataRules;
import org.communitysso.gateway.identity.UserRecord;
import org.communitysso.gateway.session.SessionService;

/**
 * Matches a verified user record to a community account, links it or
 * provisions one, and syncs the profile: inside the caller's transaction, so
 * the sign-on's account and session work commit together (web/SignOnFlow).
 * A unique-key conflict (a concurrent first sign-on of the same member won the
 * race) surfaces as an exception {@link #isConflict} recognises; the caller
 * retries the whole unit, which then finds what the winner made.
 */
@ApplicationScoped
public class AccountService {

    private final EntityManager em;
    private final TimeSource time;
    private final GatewayConfig config;
    private final AccountPolicy policy;
    private final SessionService sessions;

    @Inject
    public AccountService(EntityManager em, TimeSource time, GatewayConfig config, AccountPolicy policy,
            SessionService sessions) {
        this.em = em;
        this.time = time;
        this.config = config;
        this.policy = policy;
        this.sessions = sessions;
    }

    /**
     * @param trustEmail   the connector's IdP verifies emails, so one may link to an existing account
     * @param emailFromIdp false when the member typed the email in the sign-up form (never trusted)
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public SignOnOutcome signOn(String connectorId, boolean trustEmail, UserRecord record, boolean emailFromIdp) {
        long now = time.nowSeconds();
        boolean emailVerified = trustEmail && emailFromIdp;
        Optional<ExternalLink> link = ExternalLink.find(connectorId, record.id());
        if (link.isPresent()) {
            Account account = activeAccount(link.get().accountId, null, connectorId);
            link.get().lastSignOnAt = now;
            RoleInputsJson.store(link.get(), record.roleInputs());
            boolean changed = sync(connectorId, emailVerified, account, record, now);
            em.flush();
            return new SignOnOutcome.SignedOn(account.id, false, null, changed);
        }
        if (record.email() != null) {
            Optional<Account> sameEmail = Account.findByEmail(record.email());
            if (sameEmail.isPresent()) {
                Account account = sameEmail.get();
                String refusal = !emailVerified ? "this sign-in's email is not verified by a trusted connector"
                        : !account.emailVerified ? "the account's email was never verified (pre-hijacking guard)"
                        : ExternalLink.exists(connectorId, account.id) ? "the account has another id at this connector"
                        : null;
                if (refusal != null) {
                    throw new EmailTaken(connectorId, account.id, refusal);
                }
                activeAccount(account.id, account, connectorId);
                link(connectorId, record, account.id, now);
                sync(connectorId, emailVerified, account, record, now);
                em.flush();
                return new SignOnOutcome.SignedOn(account.id, false, "verified_email", true);
            }
        }
        if (record.username() == null) {
            return new SignOnOutcome.NeedsProfile(SignOnOutcome.Why.USERNAME_MISSING);
        }
        if (Account.findByUsername(record.username()).isPresent()) {
            return new SignOnOutcome.NeedsProfile(SignOnOutcome.Why.USERNAME_TAKEN);
        }
        if (record.email() == null && policy.requireEmail()) {
            return new SignOnOutcome.NeedsProfile(SignOnOutcome.Why.EMAIL_MISSING);
        }
        Account account = new Account();
        account.setUsername(record.username());
        account.setEmail(record.email(), emailFromIdp ? connectorId : Account.TYPED_BY_MEMBER, emailVerified);
        account.avatar = record.avatar();
        account.createdAt = now;
        account.updatedAt = now;
        account.persist();
        link(connectorId, record, account.id, now);
        if (record.customRoles() != null) {
            replaceIdpRoles(account.id, record.customRoles(), now);
        }
        em.flush();
        return new SignOnOutcome.SignedOn(account.id, true, null, false); // a new account has no cached sessions
    }

    /**
     * Locked for the rest of the sign-on: a deactivation either is seen here, or waits
     * for this sign-on to commit and then ends the session it opened.
     */
    private Account activeAccount(long accountId, Account readBefore, String connectorId) {
        Account account;
        boolean active;
        if (readBefore == null) {
            account = Account.lockAndRead(accountId); // one locking read: the committed, current row
            active = account != null && account.active;
        } else {
            // read earlier in this transaction without a lock: lock it, and take the flag as committed now
            Boolean current = Account.lockActive(accountId);
            account = readBefore;
            active = Boolean.TRUE.equals(current);
        }
        if (account == null || !active) {
            throw new GatewayException(Reason.ACCOUNT_DISABLED, connectorId, "account " + accountId + " is disabled");
        }
        return account;
    }

    private static void link(String connectorId, UserRecord record, long accountId, long now) {
        link(connectorId, record.id(), record.roleInputs(), accountId, now);
    }

    /** {@code roleInputs}: the groups and roles the identity last brought, when known (null: none stored yet). */
    private static void link(String connectorId, String externalId, UserRecord.RoleInputs roleInputs, long accountId,
            long now) {
        ExternalLink link = new ExternalLink();
        link.accountId = accountId;
        link.connectorId = connectorId;
        link.externalId = externalId;
        link.createdAt = now;
        link.lastSignOnAt = now;
        RoleInputsJson.store(link, roleInputs);
        link.persist();
    }

    /**
     * The IdP's latest profile wins, except where it would take another account's
     * email or username. An email is verified when the connector is trusted to
     * verify emails ({@code emailVerified}); a new address from an untrusted one
     * is kept unverified, the same address from a trusted one becomes verified.
     */
    private boolean sync(String connectorId, boolean emailVerified, Account account, UserRecord record, long now) {
        String username = account.username;
        String email = account.email;
        String avatar = account.avatar;
        boolean verifiedBefore = account.emailVerified;
        boolean rolesChanged = false;
        if (record.email() != null) {
            if (!UserDataRules.emailKey(record.email()).equals(account.emailKey)) {
                Optional<Account> owner = Account.findByEmail(record.email());
                if (owner.isPresent() && !owner.get().id.equals(account.id)) {
                    Audit.syncSkipped(connectorId, account.id, "email", Reason.EMAIL_TAKEN.code());
                } else {
                    account.setEmail(record.email(), connectorId, emailVerified);
                }
            } else if (emailVerified && !account.emailVerified) {
                account.setEmail(record.email(), connectorId, true);
            }
        }
        if (config.accounts().syncUsername() && record.username() != null && !record.username().equals(account.username)) {
            Optional<Account> owner = Account.findByUsername(record.username());
            if (owner.isPresent() && !owner.get().id.equals(account.id)) {
                Audit.syncSkipped(connectorId, account.id, "username", "username_taken");
            } else {
                account.setUsername(record.username());
            }
        }
        if (record.avatar() != null) {
            account.avatar = record.avatar();
        }
        if (record.customRoles() != null) {
            rolesChanged = replaceIdpRoles(account.id, record.customRoles(), now);
        }
        boolean changed = rolesChanged || !Objects.equals(username, account.username)
                || !Objects.equals(email, account.email) || !Objects.equals(avatar, account.avatar);
        if (changed || account.emailVerified != verifiedBefore) {
            account.updatedAt = now; // a returning member with nothing new costs no account write
        }
        return changed;
    }

    /** IdP-managed roles become exactly {@code roles}; community-granted ones stay. Whether anything changed. */
    static boolean replaceIdpRoles(long accountId, List<String> roles, long now) {
        Set<String> wanted = new HashSet<>(roles);
        boolean changed = false;
        for (RoleGrant grant : RoleGrant.of(accountId, RoleGrant.IDP)) {
            if (!wanted.remove(grant.key.roleId())) {
                grant.delete();
                changed = true;
            }
        }
        for (String role : wanted) {
            RoleGrant grant = new RoleGrant();
            grant.key = new RoleGrant.Key(accountId, role, RoleGrant.IDP);
            grant.grantedAt = now;
            grant.persist();
        }
        return changed || !wanted.isEmpty();
    }

    /** A sign-in method of an account: which connector, since when, last used (epoch seconds). */
    public record LinkView(String connectorId, long linkedAt, long lastSignOnAt) {
    }

    /** The account's sign-in methods, oldest first. */
    public List<LinkView> links(long accountId) {
        return QuarkusTransaction.joiningExisting().call(() -> ExternalLink.ofAccount(accountId).stream()
                .sorted(java.util.Comparator.comparingLong((ExternalLink l) -> l.createdAt).thenComparing(l -> l.id))
                .map(l -> new LinkView(l.connectorId, l.createdAt, l.lastSignOnAt)).toList());
    }

    /** The account an identity signs in to, if it is linked. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Optional<Long> linkedAccount(String connectorId, String externalId) {
        return ExternalLink.find(connectorId, externalId).map(l -> l.accountId);
    }

    /**
     * Links a further identity to an account (the member proved both in one
     * browser, or an operator decided). An account has one identity per
     * connector, and an identity one account: anything else is refused with
     * {@code link_refused}. Returns false when it was already linked to this account.
     * Callers audit and call {@code SessionService.accountChanged} after the commit.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean link(long accountId, String connectorId, String externalId) {
        Optional<ExternalLink> existing = ExternalLink.find(connectorId, externalId);
        if (existing.isPresent()) {
            if (existing.get().accountId == accountId) {
                return false;
            }
            throw new GatewayException(Reason.LINK_REFUSED, connectorId,
                    "identity is linked to account " + existing.get().accountId + ", not " + accountId);
        }
        if (ExternalLink.exists(connectorId, accountId)) {
            throw new GatewayException(Reason.LINK_REFUSED, connectorId,
                    "account " + accountId + " already has another identity at this connector");
        }
        activeAccount(accountId, Account.findById(accountId), connectorId); // may be read already in this transaction
        link(connectorId, externalId, null, accountId, time.nowSeconds());
        em.flush();
        return true;
    }

    /** A role granted inside the community; no IdP sync removes it. */
    public void grantCommunityRole(long accountId, String roleId) {
        boolean granted = QuarkusTransaction.requiringNew().call(() -> {
            if (RoleGrant.findById(new RoleGrant.Key(accountId, roleId, RoleGrant.COMMUNITY)) == null) {
                RoleGrant grant = new RoleGrant();
                grant.key = new RoleGrant.Key(accountId, roleId, RoleGrant.COMMUNITY);
                grant.grantedAt = time.nowSeconds();
                grant.persist();
                return true;
            }
            return false;
        });
        if (granted) {
            sessions.accountChanged(accountId);
        }
    }

    /** The account as the community sees it, or empty if it is gone or disabled. */
    public Optional<AccountView> view(long accountId) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            Account account = Account.findById(accountId);
            if (account == null || !account.active) {
                return Optional.empty();
            }
            return Optional.of(new AccountView(account.id, account.username, account.email, account.avatar,
                    RoleGrant.roleIds(account.id)));
        });
    }

    /** A unique-key violation or a deadlock: another transaction got there first. */
    public static boolean isConflict(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("23") || state.equals("40001") || state.equals("41000"))) {
                    return true;
                }
                if (sql.getErrorCode() == 1213 || sql.getErrorCode() == 1205 || sql.getErrorCode() == 1062) {
                    return true;
                }
            }
        }
        return false;
    }

    public record AccountView(long id, String username, String email, String avatar, List<String> roles) {
    }
}
