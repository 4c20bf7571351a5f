package org.communitysso.gateway.testing;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/** Reads the gateway's tables the way an operator would check them. */
@ApplicationScoped
public class Db {

    @Inject
    EntityManager em;

    public long count(String sql, Object... parameters) {
        return QuarkusTransaction.requiringNew().call(() -> {
            var query = em.createNativeQuery(sql);
            for (int i = 0; i < parameters.length; i++) {
                query.setParameter(i + 1, parameters[i]);
            }
            return ((Number) query.getSingleResult()).longValue();
        });
    }

    /** Runs a statement as an operator would in a database shell (DDL included). */
    public void execute(String sql) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(sql).executeUpdate());
    }

    public long linksFor(String externalId) {
        return count("SELECT COUNT(*) FROM external_identities WHERE external_id = ?1", externalId);
    }

    public long sessionsFor(String externalId) {
        return count("SELECT COUNT(*) FROM sessions WHERE external_id = ?1", externalId);
    }

    public long accountsWithUsername(String username) {
        return count("SELECT COUNT(*) FROM accounts WHERE username_key = ?1", username.toLowerCase());
    }

    public long accountsWithEmail(String email) {
        return count("SELECT COUNT(*) FROM accounts WHERE email_key = ?1", email.toLowerCase());
    }
}
