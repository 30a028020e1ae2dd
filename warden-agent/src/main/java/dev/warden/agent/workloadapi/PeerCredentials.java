package dev.warden.agent.workloadapi;

/**
 * Who is on the other end of the Unix socket, as the kernel says (SO_PEERCRED): not forgeable by
 * the caller.
 */
public record PeerCredentials(int pid, int uid, int gid) {}
