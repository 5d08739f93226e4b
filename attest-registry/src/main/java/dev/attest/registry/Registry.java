package dev.attest.registry;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.Manifest;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Content-addressed storage of repositories: a remote OCI registry, an OCI image layout on disk,
 * or the embedded registry. Promotion and verification work between any two implementations.
 *
 * <p>Every method that returns content has verified it: manifests are hashed and compared with
 * the requested digest (or with {@code Docker-Content-Digest} for a tag), and blob streams fail at
 * EOF unless their bytes match. Manifests are pushed as their exact bytes with their own media
 * type, never re-serialised.
 *
 * <p>A {@code reference} is a tag or a digest in canonical form.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md">OCI
 *     distribution spec 1.1</a>
 */
public interface Registry extends AutoCloseable {

  /**
   * A client of a remote registry with default settings, such as {@code Registry.remote("ghcr.io")};
   * see {@link RemoteRegistry#builder(String)} for the options and the HTTP/HTTPS rule.
   */
  static Registry remote(String registry) {
    return RemoteRegistry.builder(registry).build();
  }

  /** A name for people and error messages, such as {@code 127.0.0.1:5000} or {@code oci:/tmp/x}. */
  String name();

  // ---- manifests ----

  /**
   * Resolves a tag or digest to the descriptor of the manifest it names (HEAD, falling back to
   * GET where HEAD gives no digest).
   *
   * @throws NotFoundException if there is no such manifest
   */
  Descriptor resolve(String repository, String reference) throws AttestException;

  /**
   * Fetches and verifies a manifest or index by tag or digest.
   *
   * @throws dev.attest.core.DigestMismatchException if the bytes do not hash to the digest
   *     asked for (or announced by the registry for a tag)
   * @throws NotFoundException if there is no such manifest
   */
  Manifest fetchManifest(String repository, String reference) throws AttestException;

  /** Whether the manifest {@code digest} exists in {@code repository}. */
  boolean hasManifest(String repository, Digest digest) throws AttestException;

  /**
   * Pushes a manifest by digest, and under {@code tag} when given, with its exact bytes and
   * {@code Content-Type} equal to its media type. The blobs and child manifests it references must
   * already be present.
   *
   * <p>If the manifest has a {@code subject} and the registry does not confirm referrers support
   * (no {@code OCI-Subject} header), the tag-schema index {@code <alg>-<hex>} of the subject is
   * updated race-safely, unless {@code options} say otherwise.
   */
  PushResult pushManifest(String repository, Manifest manifest, PushOptions options) throws AttestException;

  /** Pushes a manifest by digest only, updating the fallback index as needed. */
  default PushResult pushManifest(String repository, Manifest manifest) throws AttestException {
    return pushManifest(repository, manifest, PushOptions.DEFAULT);
  }

  /** Points {@code tag} at an existing manifest. */
  void tag(String repository, Descriptor manifest, String tag) throws AttestException;

  /** Deletes a manifest or blob by digest. */
  void delete(String repository, Digest digest) throws AttestException;

  /** Every tag of {@code repository}, following pagination, bounded in count. */
  List<String> tags(String repository) throws AttestException;

  // ---- blobs ----

  /** Whether the blob exists in {@code repository}. */
  boolean hasBlob(String repository, Digest digest) throws AttestException;

  /**
   * Opens a blob for streaming. The stream hashes as it goes and fails at EOF, with an {@code
   * IOException} whose cause is a {@link dev.attest.core.DigestMismatchException}, unless the
   * bytes match the descriptor's digest and size. Close it.
   */
  InputStream fetchBlob(String repository, Descriptor blob) throws AttestException;

  /**
   * Uploads a blob whose digest and size are known. Memory stays bounded by buffers; a blob the
   * registry already has is not uploaded again.
   */
  void pushBlob(String repository, Descriptor blob, BlobSource source) throws AttestException;

  /**
   * Uploads a blob of unknown size (chunked), hashing it on the way, and returns its descriptor.
   */
  Descriptor pushBlob(String repository, String mediaType, InputStream data) throws AttestException;

  /**
   * Mounts a blob from another repository of the same registry. Returns false if the registry
   * opened an upload instead (answer 202) or cannot mount; the caller then uploads.
   */
  boolean mountBlob(String repository, Digest digest, String fromRepository) throws AttestException;

  // ---- referrers ----

  /**
   * The referrers of {@code subject}: the union of the referrers API (where the registry has it)
   * and the tag-schema index {@code <alg>-<hex>} (where present), deduplicated by digest, each
   * entry with its artifact type and annotations. Bounded in count and pages.
   *
   * @param artifactType only referrers of this artifact type, or null for all
   */
  List<Descriptor> referrers(String repository, Digest subject, @Nullable String artifactType)
      throws AttestException;

  /**
   * Adds {@code adding} to, and drops {@code dropping} from, the tag-schema referrers index
   * {@code <alg>-<hex>} of {@code subject}, where this registry keeps one, in one race-safe
   * read-merge-write; entries another writer adds meanwhile are kept. A promotion that heals a
   * destination uses it to list referrers again and to drop entries whose manifests exist nowhere,
   * so that no index it writes lists what a client cannot fetch. Does nothing where the registry
   * keeps no such index.
   *
   * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#referrers-tag-schema">referrers
   *     tag schema</a>
   */
  default void updateFallbackIndex(String repository, Digest subject, List<Descriptor> adding, Set<Digest> dropping)
      throws AttestException {}

  /** Releases connections and threads. */
  @Override
  void close();
}
