package org.communitysso.gateway.admin;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A single-use connector test link; only the SHA-256 of its ticket is stored. */
@Entity
@Table(name = "connector_test_tickets")
public class ConnectorTestTicket extends PanacheEntityBase {

    @Id
    @Column(name = "id_hash")
    public String idHash;

    @Column(name = "connector_id")
    public String connectorId;

    public String operator;

    @Column(name = "expires_at")
    public long expiresAt;
}
