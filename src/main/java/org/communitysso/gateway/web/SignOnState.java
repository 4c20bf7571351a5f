package org.communitysso.gateway.web;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A started sign-on: where the member was going and what the protocol must check. */
@Entity
@Table(name = "sign_on_states")
public class SignOnState extends PanacheEntityBase {

    @Id
    @Column(name = "id_hash")
    public String idHash;

    @Column(name = "connector_id")
    public String connectorId;

    public String target;

    /** Protocol data as JSON (nonce, PKCE verifier, request id…). */
    @Column(name = "protocol_data")
    public String protocolData;

    @Column(name = "created_at")
    public long createdAt;

    @Column(name = "expires_at")
    public long expiresAt;
}
