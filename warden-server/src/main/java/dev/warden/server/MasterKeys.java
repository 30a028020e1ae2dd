package dev.warden.server;

import dev.warden.core.crypto.Secret;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.error.ValidationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Finds the master key: {@code WARDEN_MASTER_KEY} (Tink JSON keyset, or its base64) wins; else the
 * key file, created with mode 0600 on first start. A key file readable by others is refused.
 */
final class MasterKeys {
  private MasterKeys() {}

  /**
   * @param envValue the value of {@code WARDEN_MASTER_KEY}, or null
   */
  static SecretBox load(@Nullable Secret envValue, Path file, boolean mayCreate) {
    if (envValue != null && !envValue.reveal().isBlank()) {
      String json = envValue.reveal().trim();
      if (!json.startsWith("{")) {
        try {
          json = new String(Base64.getDecoder().decode(json), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          throw new ValidationException(
              "WARDEN_MASTER_KEY",
              "must be a Tink AEAD keyset in JSON, or that JSON base64-encoded");
        }
      }
      try {
        return SecretBox.fromJson(json);
      } catch (IllegalArgumentException e) {
        throw new ValidationException("WARDEN_MASTER_KEY", String.valueOf(e.getMessage()));
      }
    }
    if (Files.exists(file)) {
      checkPermissions(file);
      try {
        return SecretBox.fromJson(Files.readString(file, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new ValidationException(
            "masterKey.file", "cannot read " + file + ": " + e.getMessage());
      } catch (IllegalArgumentException e) {
        throw new ValidationException("masterKey.file", file + ": " + e.getMessage());
      }
    }
    if (!mayCreate) {
      throw new ValidationException(
          "masterKey.file",
          file
              + " does not exist, but the database already holds keys "
              + "encrypted under a master key. Restore the file (or set WARDEN_MASTER_KEY); a new key cannot decrypt them.");
    }
    SecretBox box = SecretBox.generate();
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Set<PosixFilePermission> perms = PosixFilePermissions.fromString("rw-------");
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(perms));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      }
      Files.writeString(
          file,
          box.toJson().reveal(),
          StandardCharsets.UTF_8,
          StandardOpenOption.TRUNCATE_EXISTING);
    } catch (FileAlreadyExistsException e) {
      // another node created it first: use theirs
      return load(null, file, false);
    } catch (IOException e) {
      throw new ValidationException(
          "masterKey.file", "cannot create " + file + ": " + e.getMessage());
    }
    return box;
  }

  private static void checkPermissions(Path file) {
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
      if (p.contains(PosixFilePermission.GROUP_READ)
          || p.contains(PosixFilePermission.OTHERS_READ)
          || p.contains(PosixFilePermission.GROUP_WRITE)
          || p.contains(PosixFilePermission.OTHERS_WRITE)) {
        throw new ValidationException(
            "masterKey.file",
            file
                + " is accessible by other users (mode "
                + PosixFilePermissions.toString(p)
                + "); run: chmod 600 "
                + file);
      }
    } catch (UnsupportedOperationException | IOException e) {
      // not a POSIX file system: nothing to check
    }
  }
}
