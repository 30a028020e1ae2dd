package dev.warden.scan.internal.config;

import dev.warden.scan.FingerprintKey;
import dev.warden.scan.ScanException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Finds the fingerprint key when the server does not provide it: {@code --fingerprint-key-file},
 * else {@code WARDEN_FINGERPRINT_KEY} (base64url), else the per-user file {@code
 * ~/.config/warden/fingerprint.key}, created on first use with mode 0600.
 */
public final class KeyStore {
  public static final String ENV = "WARDEN_FINGERPRINT_KEY";

  private KeyStore() {}

  /**
   * Resolves the key.
   *
   * @throws ScanException KEY_UNAVAILABLE when a given file or variable is unusable, or the
   *     per-user file can be neither read nor created
   */
  public static FingerprintKey resolve(
      @Nullable Path keyFile, Map<String, String> env, Path home, SecureRandom random)
      throws ScanException {
    if (keyFile != null) {
      return readKeyFile(keyFile);
    }
    String fromEnv = env.get(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      try {
        return FingerprintKey.fromBase64(fromEnv, null);
      } catch (IllegalArgumentException e) {
        throw new ScanException(
            ScanException.Reason.KEY_UNAVAILABLE, ENV + " is not a usable key: " + e.getMessage());
      }
    }
    Path file = defaultFile(env, home);
    if (Files.exists(file)) {
      return readKeyFile(file);
    }
    return create(file, random);
  }

  static Path defaultFile(Map<String, String> env, Path home) {
    String xdg = env.get("XDG_CONFIG_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".config");
    return base.resolve("warden").resolve("fingerprint.key");
  }

  private static FingerprintKey readKeyFile(Path file) throws ScanException {
    try {
      if (Files.size(file) > 4096) {
        throw new ScanException(
            ScanException.Reason.KEY_UNAVAILABLE, "fingerprint key file is too large: " + file);
      }
      return FingerprintKey.fromBase64(Files.readString(file, StandardCharsets.US_ASCII), null);
    } catch (IOException e) {
      throw new ScanException(
          ScanException.Reason.KEY_UNAVAILABLE,
          "cannot read fingerprint key file " + file + ": " + e.getMessage(),
          e);
    } catch (IllegalArgumentException e) {
      throw new ScanException(
          ScanException.Reason.KEY_UNAVAILABLE,
          "fingerprint key file "
              + file
              + " does not hold a base64url 32-byte key: "
              + e.getMessage());
    }
  }

  private static FingerprintKey create(Path file, SecureRandom random) throws ScanException {
    FingerprintKey key = FingerprintKey.generate(random);
    try {
      Files.createDirectories(file.getParent());
      boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
      Set<PosixFilePermission> perms = PosixFilePermissions.fromString("rw-------");
      if (posix) {
        // Created with 0600 from the start: the key is never readable by others, even briefly.
        Files.createFile(file, PosixFilePermissions.asFileAttribute(perms));
      } else {
        Files.createFile(file);
      }
      Files.writeString(
          file,
          key.toBase64Url() + "\n",
          StandardCharsets.US_ASCII,
          StandardOpenOption.TRUNCATE_EXISTING);
      return key;
    } catch (FileAlreadyExistsException e) {
      return readKeyFile(file); // another scan created it at the same moment
    } catch (IOException | UnsupportedOperationException e) {
      throw new ScanException(
          ScanException.Reason.KEY_UNAVAILABLE,
          "cannot create fingerprint key file "
              + file
              + ": "
              + e.getMessage()
              + "; set "
              + ENV
              + " or use --fingerprint-key-file",
          e);
    }
  }
}
