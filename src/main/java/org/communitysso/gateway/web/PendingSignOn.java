package org.communitysso.gateway.web;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A verified sign-on waiting for the member's sign-up form; keyed by the hash of its cookie value. */
@Entity
@Table(name = "pending_sign_ons")
public class PendingSignOn extends PanacheEntityBase {

    @Id
    @Column(name = "id_hash")
    public String idHash;

    @Column(name = "connector_id")
    public String connectorId;

    @Column(name = "external_id")
    public String externalId;

    /** The normalised user record as JSON. */
    @Column(name = "user_record")
    public String userRecord;

    public String target;

    @Column(name = "csrf_token")
    public String csrfToken;

    public String reason;

    @Column(name = "idp_session_id")
    public String idpSessionId;

    @Column(name = "sign_off_handle")
    public String signOffHandle;

    @Column(name = "form_username")
    public String formUsername;

    @Column(name = "form_email")
    public String formEmail;

    /** When the form was submitted and the member signed in; null while it waits. */
    @Column(name = "completed_at")
    public Long completedAt;

    @Column(name = "created_at")
    public long createdAt;

    @Column(name = "expires_at")
    public long expiresAt;
}
