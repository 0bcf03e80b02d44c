package io.tiercache.hibernate.model;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Pet {
    @Id
    public Long id;

    public String name;

    @ManyToOne
    public Person owner;

    public Pet() {
    }

    public Pet(long id, String name, Person owner) {
        this.id = id;
        this.name = name;
        this.owner = owner;
        owner.pets.add(this);
    }
}
