package dev.warden.core.policy;

import dev.cel.runtime.CelRuntime;
import dev.warden.core.model.AccessPolicy;

/**
 * A policy with its condition compiled; {@code program} is null when there is no condition.
 * {@code rank} orders evaluation (deny policies first, then by name) as a plain int, so the hot
 * path sorts candidates without comparators.
 */
record CompiledPolicy(AccessPolicy policy, CelRuntime.Program program, int rank) {}
