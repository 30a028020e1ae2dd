package dev.warden.agent.workloadapi;

import com.google.protobuf.ByteString;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.warden.agent.workloadapi.proto.JWTBundlesRequest;
import dev.warden.agent.workloadapi.proto.JWTBundlesResponse;
import dev.warden.agent.workloadapi.proto.JWTSVID;
import dev.warden.agent.workloadapi.proto.JWTSVIDRequest;
import dev.warden.agent.workloadapi.proto.JWTSVIDResponse;
import dev.warden.agent.workloadapi.proto.SpiffeWorkloadAPIGrpc;
import dev.warden.agent.workloadapi.proto.ValidateJWTSVIDRequest;
import dev.warden.agent.workloadapi.proto.ValidateJWTSVIDResponse;
import dev.warden.agent.workloadapi.proto.WITBundlesRequest;
import dev.warden.agent.workloadapi.proto.WITBundlesResponse;
import dev.warden.agent.workloadapi.proto.WITSVIDRequest;
import dev.warden.agent.workloadapi.proto.WITSVIDResponse;
import dev.warden.agent.workloadapi.proto.X509BundlesRequest;
import dev.warden.agent.workloadapi.proto.X509BundlesResponse;
import dev.warden.agent.workloadapi.proto.X509SVID;
import dev.warden.agent.workloadapi.proto.X509SVIDRequest;
import dev.warden.agent.workloadapi.proto.X509SVIDResponse;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The SPIFFE Workload API. The caller's selectors come from {@link CallerInterceptor} (header check
 * and attestation happen there); this class turns the {@link IdentitySource} into messages, and
 * keeps the streams up to date: the full state at once, then again whenever it changes.
 */
final class WorkloadApiService extends SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIImplBase {
  private static final System.Logger LOG = System.getLogger(WorkloadApiService.class.getName());

  private final IdentitySource source;
  private final Clock clock;
  private final java.util.concurrent.Executor blocking;

  /**
   * @param blocking where calls that may wait for the server run (never the socket's event loop)
   */
  WorkloadApiService(IdentitySource source, Clock clock, java.util.concurrent.Executor blocking) {
    this.source = source;
    this.clock = clock;
    this.blocking = blocking;
  }

  private static Set<Selector> caller() {
    return CallerInterceptor.SELECTORS.get(Context.current());
  }

  @Override
  public void fetchX509SVID(X509SVIDRequest request, StreamObserver<X509SVIDResponse> out) {
    Set<Selector> sel = caller();
    stream(
        out,
        () -> {
          List<X509Svid> svids = source.x509Svids(sel);
          if (svids.isEmpty()) {
            return null;
          }
          Map<String, List<X509Certificate>> bundles = source.x509Bundles();
          X509SVIDResponse.Builder b = X509SVIDResponse.newBuilder();
          for (X509Svid s : svids) {
            b.addSvids(
                X509SVID
                    .newBuilder()
                    .setSpiffeId(s.id().toString())
                    .setX509Svid(der(s.chain()))
                    .setX509SvidKey(ByteString.copyFrom(s.privateKey().getEncoded()))
                    .setBundle(der(bundles.getOrDefault(s.id().trustDomain(), List.of())))
                    .setHint(s.hint() == null ? "" : s.hint()));
          }
          String own = svids.getFirst().id().trustDomain();
          bundles.forEach(
              (td, certs) -> {
                if (!td.equals(own)) {
                  b.putFederatedBundles("spiffe://" + td, der(certs));
                }
              });
          return b.build();
        });
  }

  @Override
  public void fetchX509Bundles(
      X509BundlesRequest request, StreamObserver<X509BundlesResponse> out) {
    Set<Selector> sel = caller();
    stream(
        out,
        () -> {
          if (source.x509Svids(sel).isEmpty()) {
            return null;
          }
          X509BundlesResponse.Builder b = X509BundlesResponse.newBuilder();
          source.x509Bundles().forEach((td, certs) -> b.putBundles("spiffe://" + td, der(certs)));
          return b.build();
        });
  }

  @Override
  public void fetchJWTBundles(JWTBundlesRequest request, StreamObserver<JWTBundlesResponse> out) {
    Set<Selector> sel = caller();
    stream(
        out,
        () -> {
          if (source.x509Svids(sel).isEmpty()) {
            return null;
          }
          JWTBundlesResponse.Builder b = JWTBundlesResponse.newBuilder();
          source
              .jwtAuthorities()
              .forEach(
                  (td, keys) ->
                      b.putBundles("spiffe://" + td, ByteString.copyFrom(JwtBundles.jwks(keys))));
          return b.build();
        });
  }

  @Override
  public void fetchJWTSVID(JWTSVIDRequest request, StreamObserver<JWTSVIDResponse> out) {
    if (request.getAudienceCount() == 0) {
      out.onError(
          Status.INVALID_ARGUMENT
              .withDescription("audience must be specified")
              .asRuntimeException());
      return;
    }
    List<X509Svid> held = source.x509Svids(caller());
    if (held.isEmpty()) {
      out.onError(noIdentity());
      return;
    }
    List<SpiffeId> ids = new ArrayList<>();
    if (!request.getSpiffeId().isEmpty()) {
      SpiffeId want;
      try {
        want = SpiffeId.parse(request.getSpiffeId());
      } catch (ValidationException e) {
        out.onError(
            Status.INVALID_ARGUMENT
                .withDescription("spiffe_id: " + e.getMessage())
                .asRuntimeException());
        return;
      }
      if (held.stream().noneMatch(s -> s.id().equals(want))) {
        out.onError(
            Status.PERMISSION_DENIED
                .withDescription("the caller is not entitled to " + want)
                .asRuntimeException());
        return;
      }
      ids.add(want);
    } else {
      held.forEach(s -> ids.add(s.id()));
    }
    // the common case, every token cached, is answered right here on the event loop
    JWTSVIDResponse.Builder hit = JWTSVIDResponse.newBuilder();
    for (SpiffeId id : ids) {
      String t = source.cachedJwtSvid(id, request.getAudienceList());
      if (t == null) {
        hit = null;
        break;
      }
      hit.addSvids(JWTSVID.newBuilder().setSpiffeId(id.toString()).setSvid(t));
    }
    if (hit != null) {
      out.onNext(hit.build());
      out.onCompleted();
      return;
    }
    Context ctx = Context.current();
    blocking.execute(ctx.wrap(() -> fetchJwtSvids(request, ids, out)));
  }

  private void fetchJwtSvids(
      JWTSVIDRequest request, List<SpiffeId> ids, StreamObserver<JWTSVIDResponse> out) {
    JWTSVIDResponse.Builder b = JWTSVIDResponse.newBuilder();
    try {
      for (SpiffeId id : ids) {
        b.addSvids(
            JWTSVID
                .newBuilder()
                .setSpiffeId(id.toString())
                .setSvid(source.jwtSvid(id, request.getAudienceList())));
      }
    } catch (IdentityException e) {
      out.onError(
          (e.refused() ? Status.PERMISSION_DENIED : Status.UNAVAILABLE)
              .withDescription(e.getMessage())
              .asRuntimeException());
      return;
    } catch (ValidationException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void validateJWTSVID(
      ValidateJWTSVIDRequest request, StreamObserver<ValidateJWTSVIDResponse> out) {
    if (request.getAudience().isEmpty()) {
      out.onError(
          Status.INVALID_ARGUMENT
              .withDescription("audience must be specified")
              .asRuntimeException());
      return;
    }
    if (request.getSvid().isEmpty()) {
      out.onError(
          Status.INVALID_ARGUMENT.withDescription("svid must be specified").asRuntimeException());
      return;
    }
    if (source.x509Svids(caller()).isEmpty()) {
      out.onError(noIdentity());
      return;
    }
    JwtSvidValidator.Result r;
    try {
      r =
          JwtSvidValidator.validate(
              request.getSvid(), request.getAudience(), source.jwtAuthorities(), clock.instant());
    } catch (ValidationException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    out.onNext(
        ValidateJWTSVIDResponse.newBuilder()
            .setSpiffeId(r.id().toString())
            .setClaims(struct(r.claims()))
            .build());
    out.onCompleted();
  }

  @Override
  public void fetchWITSVID(WITSVIDRequest request, StreamObserver<WITSVIDResponse> out) {
    out.onError(
        Status.UNIMPLEMENTED
            .withDescription("Warden does not serve WIT-SVIDs")
            .asRuntimeException());
  }

  @Override
  public void fetchWITBundles(WITBundlesRequest request, StreamObserver<WITBundlesResponse> out) {
    out.onError(
        Status.UNIMPLEMENTED
            .withDescription("Warden does not serve WIT-SVIDs")
            .asRuntimeException());
  }

  /**
   * Sends the current state at once and again whenever it changes, until the client goes away. A
   * null state means the caller has no identity (any more): PERMISSION_DENIED ends the stream.
   */
  private <T> void stream(StreamObserver<T> out, Supplier<T> state) {
    ServerCallStreamObserver<T> obs = (ServerCallStreamObserver<T>) out;
    Object lock = new Object();
    Object[] last = {null};
    boolean[] done = {false};
    AutoCloseable[] sub = {null};
    Runnable push =
        () -> {
          synchronized (lock) {
            if (done[0] || obs.isCancelled()) {
              return;
            }
            T now;
            try {
              now = state.get();
            } catch (RuntimeException e) {
              LOG.log(
                  System.Logger.Level.WARNING,
                  "cannot build a Workload API update: " + e.getMessage());
              return;
            }
            if (now == null) {
              done[0] = true;
              obs.onError(noIdentity());
              closeQuietly(sub[0]);
              return;
            }
            if (!now.equals(last[0])) {
              last[0] = now;
              obs.onNext(now);
            }
          }
        };
    obs.setOnCancelHandler(
        () -> {
          synchronized (lock) {
            done[0] = true;
          }
          closeQuietly(sub[0]);
        });
    sub[0] = source.onChange(push);
    push.run();
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // unregistering a listener cannot fail in a way that matters
      }
    }
  }

  static io.grpc.StatusRuntimeException noIdentity() {
    return Status.PERMISSION_DENIED.withDescription("no identity issued").asRuntimeException();
  }

  private static ByteString der(List<X509Certificate> certs) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (X509Certificate c : certs) {
      try {
        o.writeBytes(c.getEncoded());
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    }
    return ByteString.copyFrom(o.toByteArray());
  }

  static Struct struct(Map<String, Object> m) {
    Struct.Builder b = Struct.newBuilder();
    m.forEach((k, v) -> b.putFields(k, value(v)));
    return b.build();
  }

  @SuppressWarnings("unchecked")
  private static Value value(Object v) {
    if (v == null) {
      return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    }
    if (v instanceof Boolean bo) {
      return Value.newBuilder().setBoolValue(bo).build();
    }
    if (v instanceof Number n) {
      return Value.newBuilder().setNumberValue(n.doubleValue()).build();
    }
    if (v instanceof java.util.Date d) {
      return Value.newBuilder().setNumberValue(d.getTime() / 1000).build();
    }
    if (v instanceof Map<?, ?> mm) {
      return Value.newBuilder().setStructValue(struct((Map<String, Object>) mm)).build();
    }
    if (v instanceof List<?> l) {
      ListValue.Builder lb = ListValue.newBuilder();
      l.forEach(x -> lb.addValues(value(x)));
      return Value.newBuilder().setListValue(lb).build();
    }
    return Value.newBuilder().setStringValue(v.toString()).build();
  }
}
