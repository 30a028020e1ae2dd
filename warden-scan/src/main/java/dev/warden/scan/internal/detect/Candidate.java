package dev.warden.scan.internal.detect;

import dev.warden.scan.Confidence;

/**
 * A secret found in a buffer, before it is located (line, column) and fingerprinted.
 *
 * @param rule the rule that matched
 * @param start offset of the secret's first byte in the scanned buffer
 * @param end offset just past its last byte
 * @param value the secret (ASCII for every rule)
 * @param entropy bits per character
 * @param confidence how sure the match is
 */
public record Candidate(
    Rule rule, int start, int end, String value, double entropy, Confidence confidence) {}
