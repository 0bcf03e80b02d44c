package io.tiercache.hibernate.internal;

import org.hibernate.cache.spi.CacheKeysFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.collection.CollectionPersister;
import org.hibernate.persister.entity.EntityPersister;

/**
 * Makes {@link TierCacheKey}s: the entity's root name (or the collection role), the tenant when there is one, and
 * the disassembled identifier rendered as text. Disassembling first gives the same text on every node, whatever
 * proxy or embeddable instance the id arrived as.
 */
public final class TierCacheKeys implements CacheKeysFactory {
    public static final TierCacheKeys INSTANCE = new TierCacheKeys();

    private TierCacheKeys() {
    }

    @Override
    @SuppressWarnings("removal") // getKeyType() is what Hibernate's DefaultCacheKeysFactory uses too
    public Object createCollectionKey(Object id, CollectionPersister persister, SessionFactoryImplementor factory,
                                      String tenantIdentifier) {
        Object disassembled = persister.getKeyType().disassemble(id, factory);
        return new TierCacheKey(persister.getRole(), tenantIdentifier, IdText.render(disassembled), id);
    }

    @Override
    public Object createEntityKey(Object id, EntityPersister persister, SessionFactoryImplementor factory,
                                  String tenantIdentifier) {
        Object disassembled = persister.getIdentifierType().disassemble(id, factory);
        return new TierCacheKey(persister.getRootEntityName(), tenantIdentifier, IdText.render(disassembled), id);
    }

    @Override
    public Object createNaturalIdKey(Object naturalIdValues, EntityPersister persister,
                                     SharedSessionContractImplementor session) {
        Object disassembled = persister.getNaturalIdMapping().disassemble(naturalIdValues, session);
        return new TierCacheKey(persister.getRootEntityName(), session.getTenantIdentifier(),
                IdText.render(disassembled), disassembled);
    }

    @Override
    public Object getEntityId(Object cacheKey) {
        return ((TierCacheKey) cacheKey).id();
    }

    @Override
    public Object getCollectionId(Object cacheKey) {
        return ((TierCacheKey) cacheKey).id();
    }

    @Override
    public Object getNaturalIdValues(Object cacheKey) {
        return ((TierCacheKey) cacheKey).id();
    }
}
