package dev.attest.testing.internal;

import dev.attest.core.Digest;
import dev.attest.core.TooLargeException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * Content-addressed blob bytes, in memory or on disk. Repository membership, tags and manifests
 * are kept by {@link RegistryState}; this only holds bytes under their digest.
 */
public interface BlobStore extends Closeable {

  /** The size of the blob, or -1 if it is not stored. */
  long size(Digest digest);

  /** Opens the blob from {@code offset}; the caller closes the stream. */
  InputStream open(Digest digest, long offset) throws IOException;

  /** Stores {@code bytes}, which the caller has hashed to {@code digest}. */
  void put(Digest digest, byte[] bytes) throws IOException;

  /** Removes the blob if present. */
  void delete(Digest digest) throws IOException;

  /** What an upload over its limit is called in the {@link TooLargeException}'s message. */
  String UPLOAD = "blob upload to the embedded registry";

  /** Starts an upload session whose bytes are stored only when it commits. */
  Upload newUpload() throws IOException;

  /** An upload in progress: bytes are appended, hashed as they stream, then committed or dropped. */
  interface Upload {
    /** Bytes received so far. */
    long size();

    /**
     * Appends everything {@code in} yields, up to {@code maxTotal} bytes for the whole upload.
     *
     * @return the number of bytes appended
     * @throws TooLargeException if the upload would exceed {@code maxTotal}
     */
    long append(InputStream in, long maxTotal) throws IOException, TooLargeException;

    /**
     * Stores the bytes under {@code expected} if they hash to it, and ends the session either way.
     *
     * @return the digest the bytes actually hash to; equal to {@code expected} when stored
     */
    Digest commit(Digest expected) throws IOException;

    /** Drops the bytes. */
    void cancel();
  }
}
