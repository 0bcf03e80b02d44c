package io.tiercache.hibernate.model;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.OneToMany;
import jakarta.persistence.Version;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;
import org.hibernate.annotations.NaturalId;
import org.hibernate.annotations.NaturalIdCache;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.Set;

@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
@NaturalIdCache
public class Person {
    @Id
    public Long id;

    @NaturalId
    public String email;

    public String name;

    public LocalDate born;

    public BigDecimal balance;

    public Mood mood;

    @Version
    public int version;

    @OneToMany(mappedBy = "owner")
    @Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
    public Set<Pet> pets = new HashSet<>();

    public Person() {
    }

    public Person(long id, String email, String name) {
        this.id = id;
        this.email = email;
        this.name = name;
        this.born = LocalDate.of(1815, 12, 10);
        this.balance = new BigDecimal("12.50");
        this.mood = Mood.CURIOUS;
    }

    public enum Mood { CURIOUS, CALM }
}
