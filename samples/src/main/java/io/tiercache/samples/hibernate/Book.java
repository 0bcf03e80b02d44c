package io.tiercache.samples.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** The samples' one entity, cached READ_WRITE: the access type most applications use for data they update. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Book {
    @Id
    private Long id;
    private String title;
    private String author;
    private int published;
    @Version
    private int version;

    protected Book() {
        // for Hibernate
    }

    public Book(long id, String title, String author, int published) {
        this.id = id;
        this.title = title;
        this.author = author;
        this.published = published;
    }

    public Long getId() {
        return id;
    }

    public String getTitle() {
        return title;
    }

    public void setTitle(String title) {
        this.title = title;
    }

    public String getAuthor() {
        return author;
    }

    public int getPublished() {
        return published;
    }

    @Override
    public String toString() {
        return "\"" + title + "\" (" + author + ", " + published + ")";
    }
}
