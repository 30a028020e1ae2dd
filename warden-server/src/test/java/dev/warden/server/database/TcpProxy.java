package dev.warden.server.database;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder to the test PostgreSQL that a test can take down and bring back: the fake for
 * "the database went away". While down it refuses new connections and cuts the open ones.
 */
public final class TcpProxy implements AutoCloseable {
  private final int targetPort;
  private final int port;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile ServerSocket listener;

  public TcpProxy(int targetPort) {
    this.targetPort = targetPort;
    this.port = dev.warden.testkit.FreePorts.next();
    up();
  }

  public int port() {
    return port;
  }

  /** Accepts and forwards connections. */
  public synchronized void up() {
    if (listener != null) {
      return;
    }
    try {
      ServerSocket s = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
      listener = s;
      Thread.ofVirtual().start(() -> accept(s));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Refuses new connections and cuts the open ones. */
  public synchronized void down() {
    try {
      if (listener != null) {
        listener.close();
      }
    } catch (IOException ignored) {
      // closing
    }
    listener = null;
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing
      }
    }
    open.clear();
  }

  private void accept(ServerSocket s) {
    while (!s.isClosed()) {
      try {
        Socket client = s.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        open.add(client);
        open.add(server);
        Thread.ofVirtual().start(() -> pump(client, server));
        Thread.ofVirtual().start(() -> pump(server, client));
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void pump(Socket from, Socket to) {
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException ignored) {
      // one side closed
    } finally {
      try {
        from.close();
        to.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  @Override
  public void close() {
    down();
  }
}
