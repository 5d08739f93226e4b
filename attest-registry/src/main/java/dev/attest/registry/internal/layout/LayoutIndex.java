package dev.attest.registry.internal.layout;

import dev.attest.core.BoundedReads;
import dev.attest.core.Descriptor;
import dev.attest.core.ImageIndex;
import dev.attest.core.InvalidContentException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code index.json} of a layout: read without locking (it is only ever replaced by an atomic
 * rename, so a reader sees the old or the new file), and rewritten under {@link #lock()}.
 */
public final class LayoutIndex {
  /** index.json may list far more entries than a manifest, but not without bound. */
  public static final int MAX_BYTES = ImageIndex.MAX_LAYOUT_BYTES;

  // One lock per layout directory for every instance in this JVM: FileLock alone would throw
  // OverlappingFileLockException between two threads of one JVM.
  private static final ConcurrentHashMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private final Path root;
  private final Path file;
  private final ReentrantLock lock;

  public LayoutIndex(Path root) throws IOException {
    this.root = root;
    this.file = root.resolve("index.json");
    this.lock = LOCKS.computeIfAbsent(root.toRealPath(), p -> new ReentrantLock());
  }

  /** The parsed file: its entries in order and its top-level annotations. */
  public record Contents(List<Descriptor> manifests, Map<String, String> annotations) {
    public Contents {
      manifests = List.copyOf(manifests);
      annotations = Map.copyOf(annotations);
    }
  }

  public Contents read() throws IOException, InvalidContentException {
    byte[] bytes = BoundedReads.readFile(file, MAX_BYTES, file.toString());
    try {
      ImageIndex index = ImageIndex.parseLayoutIndex(bytes);
      return new Contents(index.manifests(), index.annotations());
    } catch (InvalidContentException e) {
      throw new InvalidContentException(file + ": " + e.getMessage(), e);
    }
  }

  /** Replaces the file atomically. Call only while holding {@link #lock()}. */
  public void write(List<Descriptor> manifests, Map<String, String> annotations) throws IOException {
    if (!lock.isHeldByCurrentThread()) {
      throw new IllegalStateException("index.json is written only under its lock");
    }
    byte[] bytes = ImageIndex.layoutIndex(manifests, annotations).bytes();
    writeAtomically(root, file, bytes);
  }

  /** Writes {@code bytes} to {@code target} through a synced temporary file and a rename. */
  public static void writeAtomically(Path root, Path target, byte[] bytes) throws IOException {
    Path tmp = Files.createFile(root.resolve(BlobStore.TEMP_PREFIX + UUID.randomUUID() + ".tmp"));
    try {
      try (FileOutputStream out = new FileOutputStream(tmp.toFile())) {
        out.write(bytes);
        out.getChannel().force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Takes the layout's write lock: a JVM-wide lock for this directory, then an advisory {@link
   * FileLock} on {@code oci-layout} that serialises attest processes (other tools ignore it).
   */
  public Held lock() throws IOException {
    lock.lock();
    FileChannel channel = null;
    try {
      channel = FileChannel.open(root.resolve("oci-layout"), StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock fileLock = channel.lock();
      return new Held(channel, fileLock);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      lock.unlock();
      throw e;
    }
  }

  /** The held write lock; close it to release. */
  public final class Held implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock fileLock;

    private Held(FileChannel channel, FileLock fileLock) {
      this.channel = channel;
      this.fileLock = fileLock;
    }

    @Override
    public void close() throws IOException {
      try {
        fileLock.release();
        channel.close();
      } finally {
        lock.unlock();
      }
    }
  }
}
