/**
 * JDBC persistence for Warden: the implementations of the store interfaces that {@code
 * dev.warden.core.store} defines, on an embedded H2 file database (the zero-install default) or on
 * PostgreSQL (production, and several server nodes sharing one database).
 *
 * <p>The public surface is {@link dev.warden.store.JdbcStore} and {@link
 * dev.warden.store.StoreConfig}; everything else is package-private. The schema is created and
 * upgraded by Flyway when a store is opened; the design is recorded in {@code
 * docs/decisions/201-store-schema.md}. Null-marked: a type without {@code @Nullable} is never null
 * (NullAway checks it).
 */
@NullMarked
package dev.warden.store;

import org.jspecify.annotations.NullMarked;
