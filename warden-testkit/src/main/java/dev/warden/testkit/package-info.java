/**
 * Test fixtures shared by every module: clocks, keys, a test OIDC issuer and provider, private
 * PostgreSQL and NATS servers, published test vectors. Null-marked: a type without
 * {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.testkit;

import org.jspecify.annotations.NullMarked;
