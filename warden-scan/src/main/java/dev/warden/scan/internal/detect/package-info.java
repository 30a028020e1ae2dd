/**
 * The detection engine: a keyword prefilter (an Aho-Corasick automaton over case-folded bytes)
 * finds the few places where a rule could match, and only there the rule's regular expression runs,
 * on a bounded window. Candidates then pass the rule's validator (checksum, structure), an entropy
 * floor for the value's character set and the placeholder filters.
 *
 * <p>Implementation package: its public types are used by the other scanner packages and are not a
 * stable API.
 */
@NullMarked
package dev.warden.scan.internal.detect;

import org.jspecify.annotations.NullMarked;
