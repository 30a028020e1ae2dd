package dev.warden.agent.workloadapi;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The SPIFFE Workload API on a Unix domain socket ({@code SPIFFE_ENDPOINT_SOCKET=unix://<path>}).
 * The socket is world-connectable on purpose: who may get what is decided by attesting the caller,
 * not by file permissions, exactly as SPIRE does.
 */
public final class WorkloadApiServer implements AutoCloseable {
  /** Workload API requests are tiny; anything larger is abuse. */
  public static final int MAX_INBOUND_MESSAGE_BYTES = 64 * 1024;

  private final Server server;
  private final Path socket;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ExecutorService executor;

  private WorkloadApiServer(
      Server server,
      Path socket,
      EventLoopGroup boss,
      EventLoopGroup workers,
      ExecutorService executor) {
    this.server = server;
    this.socket = socket;
    this.boss = boss;
    this.workers = workers;
    this.executor = executor;
  }

  /** Serves {@code source} on {@code socket}, attesting callers as Unix processes. */
  public static WorkloadApiServer start(Path socket, IdentitySource source) {
    return start(socket, source, new UnixAttestor(), Clock.systemUTC());
  }

  /**
   * @throws UncheckedIOException when the socket cannot be bound (the message names the path)
   */
  public static WorkloadApiServer start(
      Path socket, IdentitySource source, WorkloadAttestor attestor, Clock clock) {
    Path abs = socket.toAbsolutePath();
    try {
      Files.createDirectories(abs.getParent());
      Files.deleteIfExists(abs); // a stale socket from a killed agent
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot prepare the Workload API socket " + abs + ": " + e.getMessage(), e);
    }
    EventLoopGroup boss = new EpollEventLoopGroup(1);
    EventLoopGroup workers = new EpollEventLoopGroup(2);
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    try {
      Server s =
          NettyServerBuilder.forAddress(new DomainSocketAddress(abs.toString()))
              .channelType(EpollServerDomainSocketChannel.class)
              .bossEventLoopGroup(boss)
              .workerEventLoopGroup(workers)
              .protocolNegotiator(new PeerCredentialsNegotiator())
              .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
              .maxInboundMetadataSize(16 * 1024)
              // handlers run on the event loop (no hand-off per call); only what may wait for the
              // server moves to a virtual thread
              .directExecutor()
              .addService(
                  ServerInterceptors.intercept(
                      new WorkloadApiService(source, clock, executor),
                      new CallerInterceptor(attestor)))
              .build()
              .start();
      Files.setPosixFilePermissions(abs, PosixFilePermissions.fromString("rwxrwxrwx"));
      return new WorkloadApiServer(s, abs, boss, workers, executor);
    } catch (IOException e) {
      boss.shutdownGracefully();
      workers.shutdownGracefully();
      executor.shutdownNow();
      throw new UncheckedIOException(
          "cannot serve the Workload API on " + abs + ": " + e.getMessage(), e);
    }
  }

  public Path socket() {
    return socket;
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    executor.shutdownNow();
    try {
      Files.deleteIfExists(socket);
    } catch (IOException ignored) {
      // best effort: the next start removes a stale socket anyway
    }
  }
}
