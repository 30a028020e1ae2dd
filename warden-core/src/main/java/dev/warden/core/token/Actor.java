package dev.warden.core.token;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One link of an RFC 8693 section 4.1 {@code act} chain: the party acting now, and the chain it
 * acted under before. The outermost link is the current actor; {@link #prior()} the one before it.
 * Only Warden writes this claim into tokens it signs, and only Warden-signed chains are read back
 * ({@link #fromClaim}); an {@code act} inside a platform or actor token is refused, never trusted.
 *
 * @param subject the actor's identity: a workload's SPIFFE ID, or an OAuth client's id
 * @param prior the chain before this actor, or null when this is the first actor
 */
public record Actor(String subject, @Nullable Actor prior) {
  /** A chain deeper than this is refused when read, whatever the policies allow. */
  public static final int MAX_DEPTH = 16;

  public Actor {
    Objects.requireNonNull(subject, "subject");
    if (subject.isEmpty() || subject.length() > 2048) {
      throw new IllegalArgumentException("an actor's subject has 1 to 2048 characters");
    }
    if (prior != null && prior.depth() >= MAX_DEPTH) {
      throw new IllegalArgumentException("an actor chain has at most " + MAX_DEPTH + " links");
    }
  }

  /** The first actor of a chain. */
  public static Actor of(String subject) {
    return new Actor(subject, null);
  }

  /** A chain with {@code subject} acting now on top of this one. */
  public Actor then(String subject) {
    return new Actor(subject, this);
  }

  /** How many actors the chain holds (1 for a single actor). */
  public int depth() {
    int n = 0;
    for (Actor a = this; a != null; a = a.prior) {
      n++;
    }
    return n;
  }

  /** The actors' subjects in the order they acted: the first actor first, the current one last. */
  public List<String> subjectsInOrder() {
    List<String> out = new ArrayList<>();
    for (Actor a = this; a != null; a = a.prior) {
      out.add(0, a.subject);
    }
    return List.copyOf(out);
  }

  /** Appends this chain as the JSON value of {@code act}: {@code {"sub":…,"act":{…}}}. */
  public void appendJson(StringBuilder sb) {
    int depth = 0;
    for (Actor a = this; a != null; a = a.prior) {
      sb.append(depth == 0 ? "{\"sub\":" : ",\"act\":{\"sub\":");
      AccessTokenMinter.appendJsonString(sb, a.subject);
      depth++;
    }
    sb.append("}".repeat(depth));
  }

  /** The chain as a JSON-shaped map, for the API and the audit log. */
  public Map<String, Object> toMap() {
    return prior == null ? Map.of("sub", subject) : Map.of("sub", subject, "act", prior.toMap());
  }

  /**
   * Reads the {@code act} claim of a token Warden signed and has verified.
   *
   * @param claim the claim's parsed JSON value, or null when the token has none
   * @return the chain, or null when {@code claim} is null
   * @throws DeniedException {@code invalid_grant} when the claim is not a chain of objects each
   *     with a string {@code sub}, or is deeper than {@link #MAX_DEPTH}
   */
  public static @Nullable Actor fromClaim(@Nullable Object claim) {
    if (claim == null) {
      return null;
    }
    List<String> outermostFirst = new ArrayList<>();
    Object link = claim;
    while (link != null) {
      if (!(link instanceof Map<?, ?> m)
          || !(m.get("sub") instanceof String sub)
          || sub.isEmpty()
          || sub.length() > 2048) {
        throw new DeniedException(
            Reason.INVALID_GRANT,
            "the token's act claim is not a chain of actors each"
                + " with a sub (RFC 8693 section 4.1)");
      }
      outermostFirst.add(sub);
      if (outermostFirst.size() > MAX_DEPTH) {
        throw new DeniedException(
            Reason.INVALID_GRANT, "the token's act chain is deeper than " + MAX_DEPTH);
      }
      link = m.get("act");
    }
    Actor chain = null;
    for (int i = outermostFirst.size() - 1; i >= 0; i--) {
      chain = new Actor(outermostFirst.get(i), chain);
    }
    return chain;
  }
}
