package dev.attest.core;

import java.util.OptionalLong;

/**
 * Input went over a size bound: a body, file or blob that attest refuses to read further. attest
 * bounds every size read from the network or a peer (docs/specs/interface-contracts.md); this is
 * the one type every module reports that with, from {@link BoundedReads} and from the registries.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-manifests">OCI
 *     distribution: registries and clients may bound what they accept</a>
 */
public final class TooLargeException extends InvalidContentException {
  private static final long serialVersionUID = 1L;

  private final long limit;
  private final long size;

  /** {@code what} went over {@code limit} bytes while it was read; its full size is not known. */
  public TooLargeException(String what, long limit) {
    super(what + " is over the " + limit + " byte limit");
    this.limit = limit;
    this.size = -1;
  }

  /** {@code what} is {@code size} bytes (known before reading it), over {@code limit}. */
  public TooLargeException(String what, long size, long limit) {
    super(what + " is " + size + " bytes, over the " + limit + " byte limit");
    if (size <= limit) {
      throw new IllegalArgumentException("size " + size + " is not over the limit " + limit);
    }
    this.limit = limit;
    this.size = size;
  }

  /** The bound that was passed, in bytes. */
  public long limit() {
    return limit;
  }

  /** The full size when it was known (a file's, a declared length), else empty. */
  public OptionalLong size() {
    return size < 0 ? OptionalLong.empty() : OptionalLong.of(size);
  }
}
