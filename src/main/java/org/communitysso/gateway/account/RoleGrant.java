package org.communitysso.gateway.account;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.List;

/**
 * A community role held by an account. IdP-managed grants are replaced on
 * every sign-on; community grants are never touched by a sync.
 */
@Entity
@Table(name = "role_grants")
public class RoleGrant extends PanacheEntityBase {

    public static final String IDP = "idp";
    public static final String COMMUNITY = "community";

    @EmbeddedId
    public Key key;

    @Column(name = "granted_at")
    public long grantedAt;

    @Embeddable
    public record Key(@Column(name = "account_id") long accountId, @Column(name = "role_id") String roleId,
            @Column(name = "source") String source) implements Serializable {
    }

    static List<RoleGrant> of(long accountId, String source) {
        return list("key.accountId = ?1 and key.source = ?2", accountId, source);
    }

    /** Every role the account holds, whatever granted it. */
    public static List<String> roleIds(long accountId) {
        return getEntityManager()
                .createQuery("select distinct g.key.roleId from RoleGrant g where g.key.accountId = ?1 order by g.key.roleId",
                        String.class)
                .setParameter(1, accountId)
                .getResultList();
    }
}
