package dev.warden.core.policy;

import dev.cel.runtime.CelRuntime;
import dev.warden.core.model.AccessPolicy;

/** A policy with its condition compiled; {@code program} is null when there is no condition. */
record CompiledPolicy(AccessPolicy policy, CelRuntime.Program program) {}
