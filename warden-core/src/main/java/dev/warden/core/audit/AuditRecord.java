package dev.warden.core.audit;

/**
 * An audit event as stored: its position in the chain, the hash of the event before it, and its own
 * hash over (previous hash, sequence, canonical event).
 */
public record AuditRecord(long seq, AuditEvent event, byte[] prevHash, byte[] hash) {}
