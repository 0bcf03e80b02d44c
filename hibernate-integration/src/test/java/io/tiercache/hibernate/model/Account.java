package io.tiercache.hibernate.model;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;
import org.hibernate.annotations.TenantId;

/** A tenant-discriminated entity: the same id exists once per tenant. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Account {
    @Id
    public Long id;

    @TenantId
    public String tenant;

    public String holder;

    public Account() {
    }

    public Account(long id, String holder) {
        this.id = id;
        this.holder = holder;
    }
}
