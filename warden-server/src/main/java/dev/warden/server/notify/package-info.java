/**
 * Outgoing notifications: posture findings and recertification events sent to webhooks.
 * Null-marked: a type without {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.server.notify;

import org.jspecify.annotations.NullMarked;
