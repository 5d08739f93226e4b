package dev.attest.cli.internal;

import dev.attest.core.BoundedReads;
import dev.attest.core.TooLargeException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Bounded reads and careful writes of the files named on the command line. */
final class Files2 {
  private Files2() {}

  /** Reads a file named on the command line, refusing more than {@code max} bytes. */
  static byte[] read(Path file, long max, String what) throws IOException {
    try {
      return BoundedReads.readFile(file, Math.min(BoundedReads.MAX_ARRAY, max), what + " " + file);
    } catch (TooLargeException e) {
      throw new UsageException(what + " " + file + " is larger than " + max + " bytes");
    } catch (NoSuchFileException e) {
      throw new UsageException(what + " not found: " + file);
    }
  }

  /** Writes a new file; refuses to replace one. {@code secret} files are readable by the owner only. */
  static void writeNew(Path file, byte[] bytes, boolean secret) throws IOException {
    if (Files.exists(file)) {
      throw new UsageException("refusing to overwrite " + file);
    }
    try {
      Files.write(file, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (FileAlreadyExistsException e) {
      throw new UsageException("refusing to overwrite " + file);
    }
    if (secret) {
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system: the platform's defaults apply.
      }
    }
  }
}
