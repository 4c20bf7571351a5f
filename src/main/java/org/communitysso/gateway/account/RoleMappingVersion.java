package org.communitysso.gateway.account;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The role-mapping last applied for a connector, by hash. */
@Entity
@Table(name = "connector_role_mappings")
public class RoleMappingVersion extends PanacheEntityBase {

    @Id
    @Column(name = "connector_id")
    public String connectorId;

    @Column(name = "mapping_hash")
    public String mappingHash;

    @Column(name = "applied_at")
    public long appliedAt;
}
