package io.tiercache.benchmarks;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

import java.math.BigDecimal;
import java.time.LocalDate;

/** The entity {@link HibernateCacheBenchmark} loads: a row of a few typical columns, cached READ_WRITE. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Customer {
    @Id
    private Long id;
    private String email;
    private String name;
    private LocalDate since;
    private BigDecimal balance;
    private boolean active;
    @Version
    private int version;

    protected Customer() {
        // for Hibernate
    }

    Customer(long id) {
        this.id = id;
        this.email = "customer" + id + "@example.com";
        this.name = "Customer number " + id;
        this.since = LocalDate.of(2020, 1, 1).plusDays(id % 1000);
        this.balance = BigDecimal.valueOf(id * 37 % 100_000, 2);
        this.active = id % 7 != 0;
    }

    public Long getId() {
        return id;
    }

    public String getEmail() {
        return email;
    }

    public String getName() {
        return name;
    }
}
