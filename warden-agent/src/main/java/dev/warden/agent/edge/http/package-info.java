/**
 * The HTTP edge proxy: ingress and egress frontends, the wire format, and refusals. Null-marked: a
 * type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.agent.edge.http;

import org.jspecify.annotations.NullMarked;
