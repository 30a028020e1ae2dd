package dev.warden.core.trust;

import dev.warden.core.model.ProviderType;
import dev.warden.core.model.Selector;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a verified platform token proves: which trust provider vouched for it, the subject, the
 * claims, and the selectors derived from them. Only {@link TrustProviders#verify} creates one (the
 * constructor is package-private), so holding an {@code AttestedIdentity} means the token's
 * signature, issuer, audience and times were checked.
 *
 * <p>Selectors, for a provider named {@code P} whose type has selector type {@code T} (see {@link
 * ProviderType#selectorType()}):
 *
 * <ul>
 *   <li>{@code trust:provider=P} — always; tells apart two providers of the same type (two clusters
 *       both yield {@code k8s:ns=…});
 *   <li>{@code T:iss=<issuer>} and {@code T:sub=<sub>} — always;
 *   <li>{@code T:<key>=<value>} for each claim the preset maps (e.g. {@code k8s:ns}, {@code
 *       github:repository}) and each mapping in the provider's {@code claims}: strings, numbers and
 *       booleans become the value, an array gives one selector per scalar element; an absent, null
 *       or empty-string claim gives none, and so does an object.
 * </ul>
 */
public final class AttestedIdentity {
  private final String provider;
  private final ProviderType providerType;
  private final String issuer;
  private final String subject;
  private final Map<String, Object> claims;
  private final Instant issuedAt;
  private final Instant expiresAt;
  private final Set<Selector> selectors;

  AttestedIdentity(
      String provider,
      ProviderType providerType,
      String issuer,
      String subject,
      Map<String, Object> claims,
      Instant issuedAt,
      Instant expiresAt,
      Set<Selector> selectors) {
    this.provider = Objects.requireNonNull(provider);
    this.providerType = Objects.requireNonNull(providerType);
    this.issuer = Objects.requireNonNull(issuer);
    this.subject = Objects.requireNonNull(subject);
    this.claims = Objects.requireNonNull(claims);
    this.issuedAt = Objects.requireNonNull(issuedAt);
    this.expiresAt = Objects.requireNonNull(expiresAt);
    this.selectors = Objects.requireNonNull(selectors);
  }

  /** The name of the trust provider that verified the token. */
  public String provider() {
    return provider;
  }

  public ProviderType providerType() {
    return providerType;
  }

  /** The token's {@code iss}, equal to the provider's configured issuer. */
  public String issuer() {
    return issuer;
  }

  /** The token's {@code sub}. */
  public String subject() {
    return subject;
  }

  /**
   * Every claim of the verified payload, immutable (nested maps and lists too); numbers are {@code
   * Long}, {@code BigInteger} or {@code Double}; a JSON null is a {@code null} value.
   */
  public Map<String, Object> claims() {
    return claims;
  }

  /** The token's {@code iat}. */
  public Instant issuedAt() {
    return issuedAt;
  }

  /** The token's {@code exp}: nothing derived from this identity should outlive it. */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** The selectors, immutable, in a stable order (see the class description). */
  public Set<Selector> selectors() {
    return selectors;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AttestedIdentity a
        && a.provider.equals(provider)
        && a.providerType == providerType
        && a.issuer.equals(issuer)
        && a.subject.equals(subject)
        && a.claims.equals(claims)
        && a.issuedAt.equals(issuedAt)
        && a.expiresAt.equals(expiresAt)
        && a.selectors.equals(selectors);
  }

  @Override
  public int hashCode() {
    return Objects.hash(provider, issuer, subject, issuedAt, expiresAt, selectors);
  }

  /** Provider, subject, expiry and selectors; never the token. */
  @Override
  public String toString() {
    return "AttestedIdentity[provider="
        + provider
        + ", subject="
        + subject
        + ", expiresAt="
        + expiresAt
        + ", selectors="
        + selectors
        + "]";
  }
}
