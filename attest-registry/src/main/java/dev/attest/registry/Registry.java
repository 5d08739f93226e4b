package dev.attest.registry;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.Manifest;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Content-addressed storage of repositories: a remote OCI registry ({@link RemoteRegistry}), an OCI
 * image layout on disk ({@link OciLayout}), or the embedded registry of attest-testing. Promotion
 * and verification work between any two implementations through this interface alone: they never
 * test for, or cast to, an implementation class.
 *
 * <p><b>What every implementation guarantees</b> (each has a test in the shared contract suite,
 * {@code RegistryContract} in attest-testing, run against every implementation):
 *
 * <ul>
 *   <li><b>Verified reads.</b> Every method that returns content has verified it: manifests are
 *       hashed and compared with the requested digest (or, for a tag, with the digest the storage
 *       announces), and blob streams fail at EOF unless their bytes match digest and size. Nothing
 *       unverified is ever returned as content.
 *   <li><b>Exact bytes.</b> Manifests are stored and served as their exact bytes with their own
 *       media type, never re-serialised.
 *   <li><b>Confirmed writes.</b> When {@link #pushBlob(String, Descriptor, BlobSource) pushBlob},
 *       {@link #uploadBlob uploadBlob} or a {@link #mountBlob mountBlob} that answers {@code true}
 *       returns, the storage holds the blob under its digest and has itself checked the bytes
 *       against it (a registry's answer to the upload's final {@code PUT ?digest=}, a layout's
 *       verified write): the caller need not ask again. Bytes that do not match are refused with a
 *       {@link dev.attest.core.DigestMismatchException} and nothing is stored. A manifest push is
 *       confirmed only where {@link PushResult#confirmed()} says so.
 *   <li><b>Referrers are a union.</b> {@link #referrers} lists what the referrers API (where there
 *       is one) and the tag-schema index {@code <alg>-<hex>} (where present) list, deduplicated by
 *       digest, bounded in count and pages. A referrers API may index asynchronously, a fallback
 *       index is updated after its referrer is pushed: a listing may be stale by a write in flight.
 *   <li><b>Not atomic across calls.</b> Each call is one operation; a sequence (blobs, then a
 *       manifest, then its index) is not a transaction. A failed blob push leaves nothing; a failed
 *       sequence may leave blobs without a manifest, which is harmless and resumable.
 * </ul>
 *
 * <p><b>Capabilities</b> that not every storage has are separate small interfaces, each obtained
 * through a method returning {@link Optional}: {@link #fallbackIndex()} and {@link #tagListing()}.
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

  /**
   * Where this storage keeps its content: the base URL of a remote registry, the directory of a
   * layout. Two {@code Registry} objects with the same location are one storage, so that a blob of
   * one repository can be mounted into another across them ({@link #sameStorage}). Empty when
   * unknown; then only the same object counts as the same storage.
   */
  default Optional<URI> location() {
    return Optional.empty();
  }

  /**
   * Whether {@code other} is the same storage as this one ({@code other == this}, or equal {@link
   * #location()}s), so that {@link #mountBlob} can take a blob from one of its repositories.
   */
  default boolean sameStorage(Registry other) {
    if (other == this) {
      return true;
    }
    Optional<URI> here = location();
    return here.isPresent() && here.equals(other.location());
  }

  // ---- manifests ----

  /**
   * Resolves a tag or digest to the descriptor of the manifest it names (HEAD, falling back to
   * GET where HEAD gives no digest). For a digest, the descriptor's digest is that digest.
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
   * already be present. Pushing a manifest that is already there is harmless.
   *
   * <p>If the manifest has a {@code subject} and the storage does not confirm referrers support
   * (no {@code OCI-Subject} header), the tag-schema index {@code <alg>-<hex>} of the subject is
   * updated as {@link FallbackIndex#add} does, unless {@code options} say otherwise; {@link
   * PushResult} says which happened.
   */
  PushResult pushManifest(String repository, Manifest manifest, PushOptions options) throws AttestException;

  /** Pushes a manifest by digest only, updating the fallback index as needed. */
  default PushResult pushManifest(String repository, Manifest manifest) throws AttestException {
    return pushManifest(repository, manifest, PushOptions.DEFAULT);
  }

  /** Points {@code tag} at an existing manifest, replacing what it pointed at. */
  void tag(String repository, Descriptor manifest, String tag) throws AttestException;

  /**
   * Deletes a manifest or blob by digest.
   *
   * @throws NotFoundException if there is neither
   */
  void delete(String repository, Digest digest) throws AttestException;

  /**
   * Every tag of {@code repository}, following pagination, bounded in count. A repository the
   * storage does not know has no tags: an empty list, or a {@link NotFoundException} from a
   * registry that answers so ({@code NAME_UNKNOWN}).
   */
  List<String> tags(String repository) throws AttestException;

  // ---- blobs ----

  /** Whether the blob exists in {@code repository}. */
  boolean hasBlob(String repository, Digest digest) throws AttestException;

  /**
   * Opens a blob for streaming. The stream hashes as it goes and fails at EOF, with an {@code
   * IOException} whose cause is a {@link dev.attest.core.DigestMismatchException}, unless the
   * bytes match the descriptor's digest and size. Close it.
   *
   * @throws NotFoundException if there is no such blob
   */
  InputStream fetchBlob(String repository, Descriptor blob) throws AttestException;

  /**
   * Uploads a blob whose digest and size are known, unless the storage already has it. Memory
   * stays bounded by buffers. Confirmed when it returns (see above).
   */
  void pushBlob(String repository, Descriptor blob, BlobSource source) throws AttestException;

  /**
   * Uploads a blob without first asking whether {@code repository} has it, for a caller that has
   * just asked (a promotion's plan): {@link #pushBlob(String, Descriptor, BlobSource)} minus the
   * question where the storage can skip it. Uploading a blob that is already there is harmless.
   * Confirmed when it returns, as {@code pushBlob}.
   */
  default void uploadBlob(String repository, Descriptor blob, BlobSource source) throws AttestException {
    pushBlob(repository, blob, source);
  }

  /**
   * Uploads a blob of unknown size (chunked), hashing it on the way, and returns its descriptor.
   * Confirmed when it returns.
   */
  Descriptor pushBlob(String repository, String mediaType, InputStream data) throws AttestException;

  /**
   * Mounts a blob from another repository of the same storage. True means the blob is now in
   * {@code repository} (confirmed). False if the registry opened an upload instead (answer 202)
   * or cannot mount; the caller then uploads.
   */
  boolean mountBlob(String repository, Digest digest, String fromRepository) throws AttestException;

  /**
   * A repository of this storage in which this client last pushed, mounted or found {@code
   * digest}, to mount it from (as docker and skopeo remember blob locations); empty if none is
   * remembered or the storage does not remember. <b>May be stale</b>: the blob may have been
   * deleted since, so a mount from there can still answer false.
   */
  default Optional<String> knownRepository(Digest digest) {
    return Optional.empty();
  }

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

  // ---- capabilities ----

  /**
   * The tag-schema referrers index this storage keeps for subjects whose referrers it does not
   * index itself (a registry without the referrers API, an OCI layout); empty where it keeps none.
   * A remote registry always offers it: whether a registry has the API shows only in the answers
   * to pushes ({@link PushResult#referrersApi()}).
   */
  default Optional<FallbackIndex> fallbackIndex() {
    return Optional.empty();
  }

  /** Cheap full listings of small repositories; empty where the storage has none. */
  default Optional<TagListing> tagListing() {
    return Optional.empty();
  }

  /** Releases connections and threads. */
  @Override
  void close();
}
