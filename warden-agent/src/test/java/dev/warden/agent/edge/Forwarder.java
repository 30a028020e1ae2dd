package dev.warden.agent.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder to a real target that the test can stop: a resource is applied while the target
 * is reachable through it, and stopping it makes the target "down" for everyone behind it.
 */
public final class Forwarder implements AutoCloseable {
  private final ServerSocket listener;
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  public Forwarder(String host, int port) throws IOException {
    listener = new ServerSocket();
    listener.bind(new InetSocketAddress("127.0.0.1", 0));
    Thread.ofVirtual()
        .start(
            () -> {
              while (!listener.isClosed()) {
                try {
                  Socket client = listener.accept();
                  Socket target = new Socket(host, port);
                  open.add(client);
                  open.add(target);
                  pump(client, target);
                  pump(target, client);
                } catch (IOException e) {
                  return;
                }
              }
            });
  }

  public int port() {
    return listener.getLocalPort();
  }

  private void pump(Socket from, Socket to) {
    Thread.ofVirtual()
        .start(
            () -> {
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
              } catch (IOException ignored) {
                // either side closed
              } finally {
                try {
                  to.close();
                  from.close();
                } catch (IOException ignored) {
                  // closing
                }
              }
            });
  }

  /** Stops listening and cuts every forwarded connection. */
  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : open) {
      s.close();
    }
  }
}
