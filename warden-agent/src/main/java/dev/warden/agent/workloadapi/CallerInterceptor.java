package dev.warden.agent.workloadapi;

import dev.warden.core.model.Selector;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;

/**
 * Runs before every Workload API call: the SPIFFE security header must be present (it proves the
 * request was not forged by a browser or a proxy that a workload was tricked into calling), then
 * the caller is attested from its peer credentials.
 */
final class CallerInterceptor implements ServerInterceptor {
  static final Context.Key<Set<Selector>> SELECTORS = Context.key("warden.caller-selectors");
  static final Metadata.Key<String> SECURITY_HEADER =
      Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);
  private static final System.Logger LOG = System.getLogger(CallerInterceptor.class.getName());

  private final WorkloadAttestor attestor;

  CallerInterceptor(WorkloadAttestor attestor) {
    this.attestor = attestor;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (!"true".equals(headers.get(SECURITY_HEADER))) {
      call.close(
          Status.INVALID_ARGUMENT.withDescription("security header missing from request"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    PeerCredentials peer = call.getAttributes().get(PeerCredentialsNegotiator.PEER);
    if (peer == null) {
      call.close(
          Status.PERMISSION_DENIED.withDescription("caller credentials unavailable"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Set<Selector> selectors;
    try {
      selectors = attestor.attest(peer);
    } catch (WorkloadAttestor.AttestationException e) {
      LOG.log(
          System.Logger.Level.INFO,
          "attestation of pid " + peer.pid() + " failed: " + e.getMessage());
      call.close(
          Status.PERMISSION_DENIED.withDescription("no identity issued: " + e.getMessage()),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(
        Context.current().withValue(SELECTORS, selectors), call, headers, next);
  }
}
