package dev.warden.core.policy;

import dev.cel.runtime.CelRuntime;
import dev.warden.core.model.AccessPolicy;

/**
 * A policy with its condition compiled; {@code program} is null when there is no condition. {@code
 * rank} orders evaluation (deny policies first, then by name) as a plain int, so the hot path sorts
 * candidates without comparators. {@code disabled} is non-null when the stored policy no longer
 * compiles: it then grants nothing, and as a deny it denies every workload it names (fail closed).
 */
record CompiledPolicy(AccessPolicy policy, CelRuntime.Program program, int rank, String disabled) {}
