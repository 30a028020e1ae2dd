package dev.warden.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.ValidationException;
import dev.warden.core.exposure.ExposureCheck;
import dev.warden.core.lease.LeakService;
import dev.warden.core.model.DatabaseTarget;
import dev.warden.core.model.Resource;
import dev.warden.server.admin.Scopes;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;

/**
 * The scanner's side of the API, scope {@code scan:report}: {@code GET /v1/scan/fingerprint-key}
 * (the key that makes scanner fingerprints match lease fingerprints), {@code POST /v1/leaks}
 * (fingerprints found in the open; matching leases are revoked) and {@code POST /v1/scan/verify}
 * (which found credentials are live, by fingerprint or public-key hash, and which databases the
 * scanner may try a found password against: the only targets it ever sends one to).
 */
final class ScanApi implements ApiUnit {
  private static final int MAX_BODY = 4 * 1024 * 1024;

  private final LeakService leaks;
  private final ExposureCheck exposure;
  private final Supplier<List<Resource>> resources;
  private final byte[] fingerprintKey;
  private final String fingerprintKeyId;

  ScanApi(
      LeakService leaks,
      ExposureCheck exposure,
      Supplier<List<Resource>> resources,
      byte[] fingerprintKey,
      String fingerprintKeyId) {
    this.leaks = leaks;
    this.exposure = exposure;
    this.resources = resources;
    this.fingerprintKey = fingerprintKey.clone();
    this.fingerprintKeyId = fingerprintKeyId;
  }

  @Override
  public String group() {
    return "admin";
  }

  @Override
  public boolean owns(String rawPath) {
    String head = ApiUnit.head(rawPath);
    return head.equals("scan") || head.equals("leaks");
  }

  @Override
  public void routes(RouteTable t) {
    t.path(p -> ApiUnit.head(p).equals("leaks")).post(Scopes.SCAN_REPORT, this::report);
    t.path(p -> "fingerprint-key".equals(ApiUnit.tail(p)))
        .get(Scopes.SCAN_REPORT, this::fingerprintKey);
    t.path(p -> "verify".equals(ApiUnit.tail(p))).post(Scopes.SCAN_REPORT, this::verify);
  }

  private void verify(Call c) {
    JsonNode b = c.json(MAX_BODY);
    ExposureCheck.Result r =
        exposure.check(texts(b, "fingerprints"), texts(b, "publicKeys"), c.who().actor());
    ObjectNode o = HttpJson.object();
    matches(o.putArray("credentials"), r.credentials());
    matches(o.putArray("publicKeys"), r.publicKeys());
    ArrayNode dbs = o.putArray("databases");
    for (Resource res : resources.get()) {
      DatabaseTarget t = res.database();
      if (t == null) {
        continue;
      }
      ObjectNode x = dbs.addObject();
      x.put("resource", res.name());
      x.put("engine", t.engine().kind());
      x.put("host", t.host());
      x.put("port", t.port());
      x.put("database", t.database());
      x.put("url", t.url());
    }
    c.res().header("Cache-Control", "no-store");
    c.send(200, o);
  }

  private static void matches(ArrayNode a, List<ExposureCheck.Match> ms) {
    for (ExposureCheck.Match m : ms) {
      ObjectNode x = a.addObject();
      x.put("value", m.value());
      x.put("kind", m.kind().wire());
      x.put("id", m.id());
      x.put("liveness", m.liveness().wire());
      x.put("state", m.state());
    }
  }

  private static List<String> texts(JsonNode b, String field) {
    JsonNode a = b.get(field);
    if (a == null || a.isNull()) {
      return List.of();
    }
    if (!a.isArray()) {
      throw new ValidationException(
          field, "must be an array of 64-character lowercase hex strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode v : a) {
      if (!v.isTextual()) {
        throw new ValidationException(
            field, "must be an array of 64-character lowercase hex strings");
      }
      out.add(v.asText());
    }
    return out;
  }

  private void fingerprintKey(Call c) {
    ObjectNode o = HttpJson.object();
    o.put("key", Base64.getUrlEncoder().withoutPadding().encodeToString(fingerprintKey));
    o.put("keyId", fingerprintKeyId);
    c.res().header("Cache-Control", "no-store");
    c.send(200, o);
  }

  private void report(Call c) {
    JsonNode b = c.json(MAX_BODY);
    JsonNode fs = b.get("findings");
    if (fs == null || !fs.isArray()) {
      throw new BadRequestException(
          "send {\"source\": \"...\", \"findings\": [{\"fingerprint\": \"<hex>\", ...}]}");
    }
    List<LeakService.Finding> findings = new ArrayList<>();
    for (JsonNode f : fs) {
      String fp = Params.text(f, "fingerprint");
      if (fp == null || !fp.matches("[0-9a-f]{64}")) {
        throw new ValidationException(
            "findings.fingerprint", "must be 64 lowercase hex characters (HMAC-SHA256)");
      }
      findings.add(
          new LeakService.Finding(
              fp,
              Params.text(f, "ruleId"),
              Params.text(f, "path"),
              f.has("line") && f.get("line").canConvertToInt() ? f.get("line").asInt() : null,
              Params.text(f, "commit")));
    }
    boolean dryRun = b.path("dryRun").asBoolean(false);
    LeakService.Result r =
        leaks.report(Params.text(b, "source"), findings, c.who().actor(), dryRun);
    ObjectNode o = HttpJson.object();
    if (dryRun) {
      o.put("dryRun", true);
    }
    o.put("received", r.received());
    ArrayNode a = o.putArray("matched");
    for (LeakService.Match mt : r.matched()) {
      ObjectNode x = a.addObject();
      x.put("fingerprint", mt.fingerprint());
      x.put("leaseId", mt.leaseId());
      x.put("revoked", mt.revoked());
      x.put("active", mt.active());
      if (mt.workload() != null) {
        x.put("workload", mt.workload());
      }
    }
    o.put("unmatched", r.unmatched());
    c.send(200, o);
  }
}
