package org.communitysso.gateway.account;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.audit.Audit;
import org.communitysso.gateway.config.GatewayConfig;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.communitysso.gateway.identity.UserDataRules;
import org.communitysso.gateway.identity.UserRecord;

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

    @Inject
    public AccountService(EntityManager em, TimeSource time, GatewayConfig config, AccountPolicy policy) {
        this.em = em;
        this.time = time;
        this.config = config;
        this.policy = policy;
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
            Account account = activeAccount(link.get().accountId, connectorId);
            link.get().lastSignOnAt = now;
            RoleInputsJson.store(link.get(), record.roleInputs());
            sync(connectorId, emailVerified, account, record, now);
            em.flush();
            return new SignOnOutcome.SignedOn(account.id, false, null);
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
                    throw new GatewayException(Reason.EMAIL_TAKEN, connectorId,
                            "email belongs to account " + account.id + "; not linked: " + refusal);
                }
                activeAccount(account.id, connectorId);
                link(connectorId, record, account.id, now);
                sync(connectorId, emailVerified, account, record, now);
                em.flush();
                return new SignOnOutcome.SignedOn(account.id, false, "verified_email");
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
        return new SignOnOutcome.SignedOn(account.id, true, null);
    }

    /**
     * Locked for the rest of the sign-on: a deactivation either is seen here, or waits
     * for this sign-on to commit and then ends the session it opened.
     */
    private Account activeAccount(long accountId, String connectorId) {
        Boolean active = Account.lockActive(accountId);
        Account account = active == null ? null : Account.findById(accountId);
        if (account == null || !active) {
            throw new GatewayException(Reason.ACCOUNT_DISABLED, connectorId, "account " + accountId + " is disabled");
        }
        return account;
    }

    private static void link(String connectorId, UserRecord record, long accountId, long now) {
        ExternalLink link = new ExternalLink();
        link.accountId = accountId;
        link.connectorId = connectorId;
        link.externalId = record.id();
        link.createdAt = now;
        link.lastSignOnAt = now;
        RoleInputsJson.store(link, record.roleInputs());
        link.persist();
    }

    /**
     * The IdP's latest profile wins, except where it would take another account's
     * email or username. An email is verified when the connector is trusted to
     * verify emails ({@code emailVerified}); a new address from an untrusted one
     * is kept unverified, the same address from a trusted one becomes verified.
     */
    private void sync(String connectorId, boolean emailVerified, Account account, UserRecord record, long now) {
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
            replaceIdpRoles(account.id, record.customRoles(), now);
        }
        account.updatedAt = now;
    }

    /** IdP-managed roles become exactly {@code roles}; community-granted ones stay. */
    static void replaceIdpRoles(long accountId, List<String> roles, long now) {
        Set<String> wanted = new HashSet<>(roles);
        for (RoleGrant grant : RoleGrant.of(accountId, RoleGrant.IDP)) {
            if (!wanted.remove(grant.key.roleId())) {
                grant.delete();
            }
        }
        for (String role : wanted) {
            RoleGrant grant = new RoleGrant();
            grant.key = new RoleGrant.Key(accountId, role, RoleGrant.IDP);
            grant.grantedAt = now;
            grant.persist();
        }
    }

    /** A role granted inside the community; no IdP sync removes it. */
    public void grantCommunityRole(long accountId, String roleId) {
        QuarkusTransaction.requiringNew().run(() -> {
            if (RoleGrant.findById(new RoleGrant.Key(accountId, roleId, RoleGrant.COMMUNITY)) == null) {
                RoleGrant grant = new RoleGrant();
                grant.key = new RoleGrant.Key(accountId, roleId, RoleGrant.COMMUNITY);
                grant.grantedAt = time.nowSeconds();
                grant.persist();
            }
        });
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
