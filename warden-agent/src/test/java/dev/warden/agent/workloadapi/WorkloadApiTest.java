package dev.warden.agent.workloadapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.warden.agent.workloadapi.proto.JWTSVIDRequest;
import dev.warden.agent.workloadapi.proto.SpiffeWorkloadAPIGrpc;
import dev.warden.agent.workloadapi.proto.ValidateJWTSVIDRequest;
import dev.warden.agent.workloadapi.proto.WITBundlesRequest;
import dev.warden.agent.workloadapi.proto.WITSVIDRequest;
import dev.warden.agent.workloadapi.proto.X509SVIDRequest;
import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.pki.JwtSvids;
import dev.warden.core.token.KeyMaterial;
import dev.warden.core.token.SigningAlgorithm;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.MetadataUtils;
import io.spiffe.svid.x509svid.X509Svid;
import io.spiffe.workloadapi.DefaultX509Source;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Workload API's contract over a real Unix socket, with this JVM as the attested caller. */
class WorkloadApiTest {
  static final String AUD = "https://ledger.example.org";

  @TempDir Path dir;
  Path socket;
  TestIdentities ids;
  WorkloadApiServer server;
  EpollEventLoopGroup group;
  ManagedChannel channel;

  static int uid() throws Exception {
    return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
  }

  void start(Set<Selector> required) throws Exception {
    socket = dir.resolve("api.sock");
    ids = new TestIdentities(required);
    server = WorkloadApiServer.start(socket, ids);
    group = new EpollEventLoopGroup(1);
    channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .eventLoopGroup(group)
            .channelType(EpollDomainSocketChannel.class)
            .usePlaintext()
            .build();
  }

  @BeforeEach
  void startForThisProcess() throws Exception {
    start(Set.of(new Selector("unix", "uid", Integer.toString(uid()))));
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    group.shutdownGracefully();
    server.close();
  }

  SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIBlockingStub stub() {
    Metadata h = new Metadata();
    h.put(CallerInterceptor.SECURITY_HEADER, "true");
    return SpiffeWorkloadAPIGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h))
        .withDeadlineAfter(java.time.Duration.ofSeconds(10));
  }

  static Status.Code code(Runnable r) {
    try {
      r.run();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void aCallWithoutTheSecurityHeaderIsInvalidArgument() {
    var bare = SpiffeWorkloadAPIGrpc.newBlockingStub(channel);
    assertThat(code(() -> bare.fetchX509SVID(X509SVIDRequest.getDefaultInstance()).next()))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(() -> bare.fetchJWTSVID(JWTSVIDRequest.newBuilder().addAudience(AUD).build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void firstX509MessageCarriesTheSvidKeyAndBundleAtOnce() throws Exception {
    var r = stub().fetchX509SVID(X509SVIDRequest.getDefaultInstance()).next();
    assertThat(r.getSvidsCount()).isEqualTo(1);
    var s = r.getSvids(0);
    assertThat(s.getSpiffeId()).isEqualTo("spiffe://example.org/app");
    assertThat(s.getX509Svid())
        .isEqualTo(ByteString.copyFrom(ids.current.chain().getFirst().getEncoded()));
    assertThat(s.getX509SvidKey())
        .isEqualTo(ByteString.copyFrom(ids.current.privateKey().getEncoded()));
    assertThat(s.getBundle()).isEqualTo(ByteString.copyFrom(ids.ca.getEncoded()));
  }

  @Test
  void aCallerWithoutIdentityIsPermissionDenied() throws Exception {
    stop();
    start(Set.of(new Selector("unix", "uid", "424242")));
    assertThat(code(() -> stub().fetchX509SVID(X509SVIDRequest.getDefaultInstance()).next()))
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(
            code(() -> stub().fetchJWTSVID(JWTSVIDRequest.newBuilder().addAudience(AUD).build())))
        .isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void oversizedRequestsAreRejected() {
    JWTSVIDRequest.Builder big = JWTSVIDRequest.newBuilder();
    big.addAudience("x".repeat(WorkloadApiServer.MAX_INBOUND_MESSAGE_BYTES + 10));
    assertThat(code(() -> stub().fetchJWTSVID(big.build())))
        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
  }

  @Test
  void jwtSvidNeedsAnAudienceAndAnIdentityTheCallerHolds() {
    assertThat(code(() -> stub().fetchJWTSVID(JWTSVIDRequest.getDefaultInstance())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(
            code(
                () ->
                    stub()
                        .fetchJWTSVID(
                            JWTSVIDRequest.newBuilder()
                                .addAudience(AUD)
                                .setSpiffeId("spiffe://example.org/someone-else")
                                .build())))
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    var r = stub().fetchJWTSVID(JWTSVIDRequest.newBuilder().addAudience(AUD).build());
    assertThat(r.getSvids(0).getSpiffeId()).isEqualTo("spiffe://example.org/app");
  }

  @Test
  void validateAcceptsAGoodJwtSvidAndReturnsItsClaims() {
    String jwt =
        stub()
            .fetchJWTSVID(JWTSVIDRequest.newBuilder().addAudience(AUD).build())
            .getSvids(0)
            .getSvid();
    var r =
        stub()
            .validateJWTSVID(
                ValidateJWTSVIDRequest.newBuilder().setAudience(AUD).setSvid(jwt).build());
    assertThat(r.getSpiffeId()).isEqualTo("spiffe://example.org/app");
    assertThat(r.getClaims().getFieldsMap().get("sub").getStringValue())
        .isEqualTo("spiffe://example.org/app");
  }

  @Test
  void validateRejectsWrongAudienceExpiryUnknownKidAndAlgNone() {
    SpiffeId id = ids.id;
    String good = JwtSvids.mint(ids.jwtKey, id, List.of(AUD), Duration.ofMinutes(5), Instant.now());
    String expired =
        JwtSvids.mint(
            ids.jwtKey, id, List.of(AUD), Duration.ofMinutes(1), Instant.now().minusSeconds(600));
    String unknownKid =
        JwtSvids.mint(
            KeyMaterial.generate(SigningAlgorithm.ES256, new SecureRandom()),
            id,
            List.of(AUD),
            Duration.ofMinutes(5),
            Instant.now());
    String header =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("{\"alg\":\"none\",\"kid\":\"x\"}".getBytes());
    String none = header + "." + good.split("\\.")[1] + ".";
    for (String[] c :
        new String[][] {
          {good, "https://other.example.org"},
          {expired, AUD},
          {unknownKid, AUD},
          {none, AUD},
          {"garbage", AUD},
          {good, ""},
          {"", AUD}
        }) {
      assertThat(
              code(
                  () ->
                      stub()
                          .validateJWTSVID(
                              ValidateJWTSVIDRequest.newBuilder()
                                  .setSvid(c[0])
                                  .setAudience(c[1])
                                  .build())))
          .as(c[1] + " " + c[0])
          .isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
  }

  @Test
  void validateRefusesATokenTypedAsAnythingButAJwtSvidEvenWhenATrustedKeySignedIt() {
    Instant now = Instant.now();
    // everything else about it would pass: a trusted kid, a SPIFFE ID subject, the audience, exp
    for (String typ : new String[] {"at+jwt", "jwt", "JWT-SVID", "application/jwt", ""}) {
      String accessToken =
          dev.warden.core.token.AccessTokenMinter.mint(
                  ids.jwtKey,
                  dev.warden.core.token.AccessTokenMinter.Claims.bearer(
                      "https://warden.example.org",
                      ids.id.toString(),
                      AUD,
                      ids.id.toString(),
                      null,
                      "j",
                      now,
                      now.plusSeconds(300)),
                  "at+jwt")
              .reveal();
      String token = typ.equals("at+jwt") ? accessToken : retyped(accessToken, typ);
      assertThat(
              code(
                  () ->
                      stub()
                          .validateJWTSVID(
                              ValidateJWTSVIDRequest.newBuilder()
                                  .setSvid(token)
                                  .setAudience(AUD)
                                  .build())))
          .as(typ)
          .isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
  }

  /** The token with another typ, re-signed with the trusted key, so only typ is wrong. */
  String retyped(String token, String typ) {
    String[] p = token.split("\\.");
    String header =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                ("{\"alg\":\"ES256\",\"kid\":\"" + ids.jwtKey.kid() + "\",\"typ\":\"" + typ + "\"}")
                    .getBytes());
    byte[] sig =
        ids.jwtKey.sign((header + "." + p[1]).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    return header + "." + p[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
  }

  @Test
  void validateAcceptsTypJoseAndNoTyp() {
    String good =
        JwtSvids.mint(ids.jwtKey, ids.id, List.of(AUD), Duration.ofMinutes(5), Instant.now());
    for (String typ : new String[] {"JOSE", null}) {
      String[] p = good.split("\\.");
      String header =
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(
                  ("{\"alg\":\"ES256\",\"kid\":\""
                          + ids.jwtKey.kid()
                          + "\""
                          + (typ == null ? "" : ",\"typ\":\"" + typ + "\"")
                          + "}")
                      .getBytes());
      byte[] sig =
          ids.jwtKey.sign(
              (header + "." + p[1]).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String t =
          header + "." + p[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
      assertThat(
              stub()
                  .validateJWTSVID(
                      ValidateJWTSVIDRequest.newBuilder().setSvid(t).setAudience(AUD).build())
                  .getSpiffeId())
          .isEqualTo(ids.id.toString());
    }
  }

  /**
   * Regression: the validator parsed with Nimbus, which decodes malformed UTF-8 into replacement
   * characters, so a signed payload whose bytes are not UTF-8 validated; the strict parser every
   * other JWS goes through refuses it (decision 021).
   */
  @Test
  void validateRefusesAJwtSvidWhosePayloadIsNotStrictUtf8EvenWhenATrustedKeySignedIt() {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header =
        b64.encodeToString(
            ("{\"alg\":\"ES256\",\"kid\":\"" + ids.jwtKey.kid() + "\",\"typ\":\"JWT\"}")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    byte[] json =
        ("{\"sub\":\""
                + ids.id
                + "\",\"aud\":[\""
                + AUD
                + "\"],\"exp\":"
                + Instant.now().plusSeconds(300).getEpochSecond()
                + ",\"x\":\"?\"}")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    json[json.length - 3] = (byte) 0xff; // the '?' becomes a byte that starts no UTF-8 sequence
    String payload = b64.encodeToString(json);
    byte[] sig =
        ids.jwtKey.sign(
            (header + "." + payload).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    String token = header + "." + payload + "." + b64.encodeToString(sig);

    assertThat(
            code(
                () ->
                    stub()
                        .validateJWTSVID(
                            ValidateJWTSVIDRequest.newBuilder()
                                .setSvid(token)
                                .setAudience(AUD)
                                .build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void witMethodsAreUnimplemented() {
    assertThat(code(() -> stub().fetchWITSVID(WITSVIDRequest.getDefaultInstance()).next()))
        .isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(code(() -> stub().fetchWITBundles(WITBundlesRequest.getDefaultInstance()).next()))
        .isEqualTo(Status.Code.UNIMPLEMENTED);
  }

  @Test
  void javaSpiffeClientSeesARotation() throws Exception {
    try (DefaultX509Source src =
        DefaultX509Source.newSource(
            DefaultX509Source.X509SourceOptions.builder()
                .spiffeSocketPath("unix:" + socket)
                .initTimeout(Duration.ofSeconds(10))
                .build())) {
      X509Svid first = src.getX509Svid();
      assertThat(first.getSpiffeId().toString()).isEqualTo("spiffe://example.org/app");
      ids.rotate();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (src.getX509Svid().getLeaf().getSerialNumber().equals(first.getLeaf().getSerialNumber())
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(src.getX509Svid().getLeaf().getSerialNumber())
          .isEqualTo(ids.current.chain().getFirst().getSerialNumber());
    }
  }

  @Test
  void streamsStopListeningWhenTheClientGoesAway() throws Exception {
    var it = stub().fetchX509SVID(X509SVIDRequest.getDefaultInstance());
    it.next();
    assertThat(ids.listeners).hasSize(1);
    channel.shutdownNow();
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!ids.listeners.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(ids.listeners).isEmpty();
  }

  @Test
  void theSocketIsRemovedOnClose() {
    server.close();
    assertThat(socket).doesNotExist();
    server = WorkloadApiServer.start(socket, ids);
    assertThat(socket).exists();
  }
}
