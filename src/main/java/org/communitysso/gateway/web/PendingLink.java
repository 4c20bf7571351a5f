package org.communitysso.gateway.web;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A link of a further sign-in method waiting for the member to prove the account; keyed by the hash of its cookie value. */
@Entity
@Table(name = "pending_links")
public class PendingLink extends PanacheEntityBase {

    @Id
    @Column(name = "id_hash")
    public String idHash;

    @Column(name = "account_id")
    public long accountId;

    @Column(name = "connector_id")
    public String connectorId;

    @Column(name = "external_id")
    public String externalId;

    @Column(name = "via_connector")
    public String viaConnector;

    public String target;

    @Column(name = "csrf_token")
    public String csrfToken;

    @Column(name = "created_at")
    public long createdAt;

    @Column(name = "expires_at")
    public long expiresAt;
}
