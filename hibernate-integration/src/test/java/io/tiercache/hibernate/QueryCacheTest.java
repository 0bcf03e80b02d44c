package io.tiercache.hibernate;

import io.tiercache.hibernate.model.Person;
import org.hibernate.SessionFactory;
import org.hibernate.cache.spi.RegionFactory;
import org.hibernate.stat.CacheRegionStatistics;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class QueryCacheTest {
    private static final String QUERY = "select p.name from Person p where p.name like :prefix order by p.name";

    private SessionFactory sessionFactory;
    private Statistics statistics;

    @BeforeEach
    void start() {
        sessionFactory = HibernateFixture.build();
        sessionFactory.inTransaction(session -> {
            session.persist(new Person(1, "ada@example.com", "Ada"));
            session.persist(new Person(2, "alan@example.com", "Alan"));
        });
        statistics = sessionFactory.getStatistics();
        statistics.clear();
    }

    @AfterEach
    void stop() {
        sessionFactory.close();
    }

    @Test
    void a_cached_query_is_a_hit_until_an_update_to_its_table_invalidates_it() {
        assertThat(names()).containsExactly("Ada", "Alan");
        assertThat(statistics.getQueryCachePutCount()).isEqualTo(1);
        assertThat(names()).containsExactly("Ada", "Alan");
        assertThat(statistics.getQueryCacheHitCount()).isEqualTo(1);

        sessionFactory.inTransaction(session -> session.find(Person.class, 2L).name = "Alonzo");

        assertThat(names()).containsExactly("Ada", "Alonzo");
        assertThat(statistics.getQueryCacheHitCount()).as("the update invalidated the result").isEqualTo(1);
        assertThat(statistics.getUpdateTimestampsCachePutCount()).isPositive();
        assertThat(names()).containsExactly("Ada", "Alonzo");
        assertThat(statistics.getQueryCacheHitCount()).isEqualTo(2);
    }

    @Test
    void cached_entity_query_results_come_back_as_entities() {
        String hql = "from Person p order by p.id";
        sessionFactory.inTransaction(session -> session.createSelectionQuery(hql, Person.class)
                .setCacheable(true).getResultList());
        List<Person> again = sessionFactory.fromTransaction(session -> session.createSelectionQuery(hql, Person.class)
                .setCacheable(true).getResultList());

        assertThat(again).extracting(p -> p.name).containsExactly("Ada", "Alan");
        assertThat(statistics.getQueryCacheHitCount()).isEqualTo(1);
    }

    @Test
    void the_query_and_timestamps_regions_report_their_element_counts() {
        names();
        sessionFactory.inTransaction(session -> session.find(Person.class, 2L).name = "Alonzo");

        CacheRegionStatistics queries = statistics.getCacheRegionStatistics(
                RegionFactory.DEFAULT_QUERY_RESULTS_REGION_UNQUALIFIED_NAME);
        assertThat(queries.getElementCountInMemory()).as("the one cached result").isEqualTo(1);
        assertThat(queries.getElementCountOnDisk()).isZero();
        assertThat(queries.getSizeInMemory()).isPositive();
        CacheRegionStatistics timestamps = statistics.getCacheRegionStatistics(
                RegionFactory.DEFAULT_UPDATE_TIMESTAMPS_REGION_UNQUALIFIED_NAME);
        assertThat(timestamps.getElementCountInMemory()).as("the updated tables' timestamps").isPositive();
    }

    private List<String> names() {
        return sessionFactory.fromTransaction(session -> session.createSelectionQuery(QUERY, String.class)
                .setParameter("prefix", "A%").setCacheable(true).getResultList());
    }
}
