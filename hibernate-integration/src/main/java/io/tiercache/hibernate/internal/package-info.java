/** Regions, storage over the engine, access strategies and settings; not an API. */
package io.tiercache.hibernate.internal;
