package org.communitysso.gateway.audit;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A security event kept in the database for operators (as well as its audit log line). */
@Entity
@Table(name = "audit_events")
public class AuditEvent extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public long at;

    public String event;

    public String outcome;

    @Column(name = "connector_id")
    public String connectorId;

    @Column(name = "account_id")
    public Long accountId;

    /** The admin operator (token subject or API key label), for admin events. */
    public String operator;

    public String reason;

    public String detail;
}
