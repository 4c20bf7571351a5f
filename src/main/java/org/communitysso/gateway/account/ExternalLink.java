package org.communitysso.gateway.account;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.List;
import java.util.Optional;

/** An IdP's user id (per connector) linked to an account; unique per connector and id. */
@Entity
@Table(name = "external_identities")
public class ExternalLink extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "account_id")
    public long accountId;

    @Column(name = "connector_id")
    public String connectorId;

    @Column(name = "external_id")
    public String externalId;

    @Column(name = "created_at")
    public long createdAt;

    @Column(name = "last_sign_on_at")
    public long lastSignOnAt;

    /** JSON array of the groups the IdP sent at the last sign-on; null when it sent none. */
    @Column(name = "idp_groups")
    public String idpGroups;

    /** JSON array of the roles the IdP named directly at the last sign-on; null when it named none. */
    @Column(name = "idp_roles")
    public String idpRoles;

    /**
     * The link for exactly this id, byte for byte: the column's binary collation
     * does that in the database (bar trailing spaces), and the result is checked again here.
     */
    public static Optional<ExternalLink> find(String connectorId, String externalId) {
        return find("connectorId = ?1 and externalId = ?2", connectorId, externalId).<ExternalLink>firstResultOptional()
                .filter(link -> link.connectorId.equals(connectorId) && link.externalId.equals(externalId));
    }

    static boolean exists(String connectorId, long accountId) {
        return count("connectorId = ?1 and accountId = ?2", connectorId, accountId) > 0;
    }

    public static List<ExternalLink> ofAccount(long accountId) {
        return list("accountId", accountId);
    }

    static List<ExternalLink> ofConnector(String connectorId) {
        return ExternalLink.<ExternalLink>list("connectorId", connectorId).stream()
                .filter(link -> link.connectorId.equals(connectorId)).toList();
    }
}
