/**
 * The SPIFFE Workload API the agent serves to local workloads. Null-marked: a type without
 * {@code @Nullable} is never null (NullAway checks it).
 */
@NullMarked
package dev.warden.agent.workloadapi;

import org.jspecify.annotations.NullMarked;
