package dev.warden.core.model;

/** Lifecycle state of a workload; only {@link #ACTIVE} workloads receive credentials. */
public enum WorkloadState {
  ACTIVE,
  SUSPENDED,
  RETIRED
}
