package dev.warden.server;

import dev.warden.core.error.ValidationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jspecify.annotations.Nullable;

/**
 * An exclusive lock on the embedded store's data directory ({@code warden.lock}, holding the pid of
 * its holder), taken before the store is opened, so a second server on the same directory is told
 * plainly that another Warden uses it instead of getting H2's "use the server mode" advice. The
 * operating system releases the lock when the process dies; the file itself stays.
 */
final class DataDirLock implements AutoCloseable {
  static final String FILE = "warden.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks {@code dir}, creating it if needed.
   *
   * @throws ValidationException when another server (in this or another process) holds it, or it
   *     cannot be created
   */
  static DataDirLock acquire(Path dir) {
    Path file = dir.resolve(FILE);
    FileChannel ch = null;
    try {
      Files.createDirectories(dir);
      ch =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by another server in this JVM
      }
      if (lock == null) {
        String holder = holder(ch);
        ch.close();
        throw new ValidationException(
            "",
            "another Warden server"
                + holder
                + " is using "
                + dir.toAbsolutePath()
                + "; stop it or choose another --data-dir");
      }
      ch.truncate(0);
      ch.write(
          ByteBuffer.wrap(
              (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
          0);
      ch.force(false);
      return new DataDirLock(ch, lock);
    } catch (IOException e) {
      closeQuietly(ch);
      throw new ValidationException(
          "server.dataDir", "cannot lock " + file.toAbsolutePath() + ": " + e.getMessage());
    }
  }

  private static String holder(FileChannel ch) {
    try {
      ByteBuffer b = ByteBuffer.allocate(32);
      ch.read(b, 0);
      String pid = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
      return pid.matches("[0-9]{1,10}") ? " (pid " + pid + ")" : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static void closeQuietly(@Nullable FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // nothing was locked
      }
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel below releases it too
    }
    closeQuietly(channel);
  }
}
