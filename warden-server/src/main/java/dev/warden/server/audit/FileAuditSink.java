package dev.warden.server.audit;

import dev.warden.core.audit.AuditRecord;
import dev.warden.core.auditstream.AuditSink;
import dev.warden.core.checkpoint.SignedCheckpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The audit stream as JSON lines in a file (one event or checkpoint per line, see {@link
 * StreamMessages}), for a log shipper to pick up.
 *
 * <p>Design note. Each batch is written and then fsynced ({@link FileChannel#force}) before {@link
 * #publish} returns, so the cursor never passes a line that a power loss could take back. A batch
 * that fails half-way is cut off again (the file is truncated to where the batch began), so no
 * partial line is left; a batch handed in again after a crash can appear twice, and readers skip a
 * seq they have seen. When the file reaches {@code maxBytes} it is renamed to {@code <file>.<last
 * seq in it, 19 digits>} (so names sort by age) and a new one begun; the newest {@code keep}
 * rotated files are kept.
 */
public final class FileAuditSink implements AuditSink {
  private final Path file;
  private final long maxBytes;
  private final int keep;
  private final String chain;

  /** The open file; null until the first batch and after a failure or a rotation. */
  private @Nullable FileChannel channel;

  /**
   * @param chain the installation's chain id, written into each event line
   */
  public FileAuditSink(Path file, long maxBytes, int keep, String chain) {
    this.file = file.toAbsolutePath().normalize();
    this.maxBytes = maxBytes;
    this.keep = keep;
    this.chain = chain;
  }

  @Override
  public String name() {
    return "file";
  }

  @Override
  public synchronized void publish(List<AuditRecord> events, SignedCheckpoint checkpoint)
      throws IOException {
    ByteArrayOutputStream lines = new ByteArrayOutputStream(events.size() * 512 + 1024);
    for (AuditRecord r : events) {
      lines.writeBytes(StreamMessages.event(chain, r));
      lines.write('\n');
    }
    lines.writeBytes(StreamMessages.checkpoint(checkpoint));
    lines.write('\n');
    FileChannel ch = open();
    long start = ch.size();
    try {
      ByteBuffer b = ByteBuffer.wrap(lines.toByteArray());
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(false);
    } catch (IOException | RuntimeException e) {
      cutBack(ch, start);
      throw new IOException("could not append to " + file + ": " + e.getMessage(), e);
    }
    if (ch.size() >= maxBytes) {
      rotate(events.getLast().seq());
    }
  }

  private FileChannel open() throws IOException {
    FileChannel ch = channel;
    if (ch == null || !ch.isOpen()) {
      Path dir = file.getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      ch =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      channel = ch;
    }
    return ch;
  }

  private void cutBack(FileChannel ch, long size) {
    try {
      ch.truncate(size);
      ch.force(false);
    } catch (IOException | RuntimeException e) {
      // the next attempt reopens the file; a partial last line is what a reader then skips
      closeQuietly();
    }
  }

  private void rotate(long lastSeq) throws IOException {
    closeQuietly();
    Path rotated =
        file.resolveSibling(
            file.getFileName() + "." + String.format(Locale.ROOT, "%019d", lastSeq));
    Files.move(file, rotated, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory();
    List<Path> old = new ArrayList<>();
    String prefix = file.getFileName() + ".";
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(file.getParent(), prefix + "*")) {
      for (Path p : ds) {
        if (p.getFileName().toString().substring(prefix.length()).matches("[0-9]{19}")) {
          old.add(p);
        }
      }
    }
    old.sort(null);
    for (int i = 0; i < old.size() - keep; i++) {
      Files.deleteIfExists(old.get(i));
    }
  }

  /** Makes the rename durable: on Linux a directory is fsynced through a read-only channel. */
  private void syncDirectory() {
    try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException | RuntimeException e) {
      // not every platform can sync a directory; the rename is still done
    }
  }

  private void closeQuietly() {
    FileChannel ch = channel;
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // nothing left to save: every batch was forced before it counted
      }
      channel = null;
    }
  }

  @Override
  public synchronized void close() {
    closeQuietly();
  }
}
