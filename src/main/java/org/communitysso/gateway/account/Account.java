package org.communitysso.gateway.account;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.Optional;
import org.communitysso.gateway.identity.UserDataRules;

/** A community account: the user record's fields, never a password. */
@Entity
@Table(name = "accounts")
public class Account extends PanacheEntityBase {

    static final String TYPED_BY_MEMBER = "member";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String username;

    @Column(name = "username_key")
    public String usernameKey;

    public String email;

    @Column(name = "email_key")
    public String emailKey;

    /** A trusted connector's IdP verified this email: only then may it find this account for another sign-in method. */
    @Column(name = "email_verified")
    public boolean emailVerified;

    /** The connector the email came from, or {@link #TYPED_BY_MEMBER}. */
    @Column(name = "email_source")
    public String emailSource;

    public String avatar;

    /**
     * Changed only by {@link #setActive}, never by writing the entity back: a sign-on that
     * read the row before a deactivation must not write {@code active=true} over it.
     */
    @Column(updatable = false)
    public boolean active = true;

    /** When an operator deactivated it; null while active. */
    @Column(name = "deactivated_at", updatable = false)
    public Long deactivatedAt;

    @Column(name = "created_at")
    public long createdAt;

    @Column(name = "updated_at")
    public long updatedAt;

    void setUsername(String value) {
        username = value;
        usernameKey = UserDataRules.usernameKey(value);
    }

    void setEmail(String value, String source, boolean verified) {
        email = value;
        emailKey = UserDataRules.emailKey(value);
        emailSource = value == null ? null : source;
        emailVerified = value != null && verified;
    }

    /**
     * The row, read and locked (FOR UPDATE) for the rest of the transaction, in one statement;
     * null if there is none. Native SQL: Hibernate's MySQL 8 lock syntax is not MariaDB's.
     */
    static Account lockAndRead(long id) {
        java.util.List<?> rows = getEntityManager()
                .createNativeQuery("SELECT * FROM accounts WHERE id = ?1 FOR UPDATE", Account.class)
                .setParameter(1, id).getResultList();
        return rows.isEmpty() ? null : (Account) rows.get(0);
    }

    /**
     * Locks the account's row until the transaction ends and says whether it is active, as
     * the locking read itself sees it (the latest committed row: a plain read later in the
     * same transaction may still see the transaction's older snapshot). Null when there is
     * no such account. Native SQL: Hibernate's MySQL 8 lock syntax is not MariaDB's.
     */
    static Boolean lockActive(long id) {
        java.util.List<?> rows = getEntityManager()
                .createNativeQuery("SELECT active FROM accounts WHERE id = ?1 FOR UPDATE")
                .setParameter(1, id).getResultList();
        if (rows.isEmpty()) {
            return null;
        }
        Object value = rows.get(0);
        return value instanceof Boolean flag ? flag : ((Number) value).intValue() != 0;
    }

    /** Activates or deactivates the account (the caller holds its lock). */
    static void setActive(long id, boolean active, long now) {
        getEntityManager().createNativeQuery(
                        "UPDATE accounts SET active = ?1, deactivated_at = ?2, updated_at = ?3 WHERE id = ?4")
                .setParameter(1, active).setParameter(2, active ? null : now).setParameter(3, now)
                .setParameter(4, id).executeUpdate();
    }

    /** Keys are canonical forms compared byte for byte (binary collation, and again here). */
    static Optional<Account> findByEmail(String email) {
        String key = UserDataRules.emailKey(email);
        return find("emailKey", key).<Account>firstResultOptional().filter(a -> key.equals(a.emailKey));
    }

    static Optional<Account> findByUsername(String username) {
        String key = UserDataRules.usernameKey(username);
        return find("usernameKey", key).<Account>firstResultOptional().filter(a -> key.equals(a.usernameKey));
    }
}
