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

    public boolean active = true;

    /** When an operator deactivated it; null while active. */
    @Column(name = "deactivated_at")
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
     * The account's latest committed row, locked until the transaction ends (SELECT … FOR
     * UPDATE: Hibernate's own lock syntax for MySQL 8 is not MariaDB's); null when there is none.
     */
    static Account lockedById(long id) {
        var em = getEntityManager();
        if (em.createNativeQuery("SELECT id FROM accounts WHERE id = ?1 FOR UPDATE").setParameter(1, id)
                .getResultList().isEmpty()) {
            return null;
        }
        Account account = em.find(Account.class, id);
        em.refresh(account);
        return account;
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
