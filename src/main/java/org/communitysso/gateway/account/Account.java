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

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String username;

    @Column(name = "username_key")
    public String usernameKey;

    public String email;

    @Column(name = "email_key")
    public String emailKey;

    public String avatar;

    public boolean active = true;

    @Column(name = "created_at")
    public long createdAt;

    @Column(name = "updated_at")
    public long updatedAt;

    void setUsername(String value) {
        username = value;
        usernameKey = UserDataRules.key(value);
    }

    void setEmail(String value) {
        email = value;
        emailKey = UserDataRules.key(value);
    }

    static Optional<Account> findByEmail(String email) {
        return find("emailKey", UserDataRules.key(email)).firstResultOptional();
    }

    static Optional<Account> findByUsername(String username) {
        return find("usernameKey", UserDataRules.key(username)).firstResultOptional();
    }
}
