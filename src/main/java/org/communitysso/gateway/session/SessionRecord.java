package org.communitysso.gateway.session;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A community session. The cookie value itself is never stored, only its SHA-256. */
@Entity
@Table(name = "sessions")
public class SessionRecord extends PanacheEntityBase {

    @Id
    @Column(name = "id_hash")
    public String idHash;

    @Column(name = "account_id")
    public long accountId;

    @Column(name = "connector_id")
    public String connectorId;

    @Column(name = "external_id")
    public String externalId;

    @Column(name = "created_at")
    public long createdAt;

    @Column(name = "last_seen_at")
    public long lastSeenAt;

    @Column(name = "idle_timeout_secs")
    public long idleTimeoutSecs;

    @Column(name = "idle_expires_at")
    public long idleExpiresAt;

    @Column(name = "absolute_expires_at")
    public Long absoluteExpiresAt;

    /** The IdP's session id (OIDC sid, SAML SessionIndex) for IdP-driven logout. */
    @Column(name = "idp_session_id")
    public String idpSessionId;

    /** Opaque data the connector needs to sign the member off at the IdP. */
    @Column(name = "sign_off_handle")
    public String signOffHandle;

    boolean expiredAt(long now) {
        return idleExpiresAt <= now || (absoluteExpiresAt != null && absoluteExpiresAt <= now);
    }
}
