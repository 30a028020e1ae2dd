package dev.warden.core.document;

import static dev.warden.core.document.Fields.allowOnly;
import static dev.warden.core.document.Fields.putIfSet;
import static dev.warden.core.document.Fields.selectors;
import static dev.warden.core.document.Fields.sortedSelectors;
import static dev.warden.core.document.Fields.strings;
import static dev.warden.core.document.Fields.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadState;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;

/** The spec of a {@code Workload} document; the SPIFFE ID names it. */
final class WorkloadDocument {
  private WorkloadDocument() {}

  static Workload parse(String name, JsonNode s) {
    allowOnly(
        s,
        "spec",
        "spiffeId",
        "selectors",
        "owner",
        "team",
        "environment",
        "state",
        "expiresAt",
        "description",
        "nodeSelectors");
    String id = text(s, "spiffeId");
    if (id == null) {
      id = name;
    } else if (name != null && !name.equals(id)) {
      throw new ValidationException(
          "metadata.name", "must equal spec.spiffeId for a Workload (or be omitted)");
    }
    if (id == null) {
      throw new ValidationException("spec.spiffeId", "is required");
    }
    String state = text(s, "state");
    WorkloadState st = null;
    if (state != null) {
      try {
        st = WorkloadState.valueOf(state.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ValidationException(
            "spec.state", "'" + state + "' is not allowed; use active, suspended or retired");
      }
    }
    Instant exp = null;
    String expText = text(s, "expiresAt");
    if (expText != null) {
      try {
        exp = Instant.parse(expText);
      } catch (DateTimeParseException e) {
        throw new ValidationException(
            "spec.expiresAt",
            "'" + expText + "' is not an RFC 3339 UTC time such as 2027-01-31T00:00:00Z");
      }
    }
    return new Workload(
        SpiffeId.parse(id),
        selectors(s, "selectors"),
        text(s, "owner"),
        text(s, "team"),
        text(s, "environment"),
        st,
        exp,
        text(s, "description"),
        s.has("nodeSelectors") ? selectors(s, "nodeSelectors") : Set.of());
  }

  /** Renders the spec: {@code parse(name, render(w))} equals w. */
  static void render(ObjectNode s, Workload w) {
    s.put("spiffeId", w.spiffeId().toString());
    strings(s, "selectors", sortedSelectors(w.selectors()));
    s.put("owner", w.owner());
    putIfSet(s, "team", w.team());
    putIfSet(s, "environment", w.environment());
    s.put("state", w.state().name().toLowerCase(Locale.ROOT));
    if (w.expiresAt() != null) {
      s.put("expiresAt", w.expiresAt().toString());
    }
    putIfSet(s, "description", w.description());
    if (!w.nodeSelectors().isEmpty()) {
      strings(s, "nodeSelectors", sortedSelectors(w.nodeSelectors()));
    }
  }
}
