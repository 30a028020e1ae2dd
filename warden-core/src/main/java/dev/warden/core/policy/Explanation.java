package dev.warden.core.policy;

import java.util.List;

/**
 * Why a decision came out as it did: the decision, and for every policy naming the resource whether
 * it applied and why not.
 */
public record Explanation(Decision decision, List<Verdict> policies) {

  /** What one policy contributed. */
  public record Verdict(String policy, String effect, Outcome outcome, String detail) {}

  /** How one policy fared. */
  public enum Outcome {
    /** this policy decided */
    DECIDED,
    /** matched and would allow, but a deny (or an earlier allow) decided */
    MATCHED_NOT_DECIDING,
    /** the workload is not among the policy's workloads */
    WORKLOAD_NOT_MATCHED,
    /** the workload matched but the condition was false */
    CONDITION_FALSE,
    /** the condition failed at run time (deny, never an error) */
    CONDITION_ERROR,
    /** the stored policy no longer compiles: it grants nothing (a deny still denies) */
    DISABLED
  }
}
