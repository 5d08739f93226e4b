package dev.attest.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.AttestException;
import dev.attest.core.BoundedReads;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.DigestMismatchException;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.InvalidContentException;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.Json;
import dev.attest.core.TooLargeException;
import dev.attest.registry.internal.layout.BlobStore;
import dev.attest.registry.internal.layout.LayoutIndex;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * An OCI image layout on disk as a {@link Registry}: the {@code oci-layout} file, {@code
 * index.json} and {@code blobs/<alg>/<hex>}, as in the <a
 * href="https://github.com/opencontainers/image-spec/blob/v1.1.1/image-layout.md">OCI image
 * layout spec 1.1</a>.
 *
 * <p><b>Repositories.</b> One layout holds any number of repositories. Content (blobs and
 * manifests, stored alike under {@code blobs/} by digest) is shared by all of them, as if every
 * blob could be mounted everywhere; only tags belong to a repository. A tag is an {@code
 * index.json} entry whose annotation {@code org.opencontainers.image.ref.name} is the bare tag,
 * which is what {@code skopeo ... oci:<dir>:<tag>}, ORAS and regclient read, and whose annotation
 * {@code io.containerd.image.name} is {@code <repository>:<tag>}, the convention of containerd
 * and {@code docker save}, which names the repository. An entry with a {@code ref.name} but no
 * {@code io.containerd.image.name}, as other tools write, is a tag of every repository. Tools
 * that read only {@code ref.name} see the tags of all repositories merged; if two repositories
 * of one layout share a tag, they take the first entry, so give each exported repository its own
 * layout when other tools will read it. A layout written by {@code docker save} is read with the
 * repository its entries name, such as {@code docker.io/library/alpine}.
 *
 * <p><b>Referrers.</b> A layout has no referrers API, so a pushed manifest with a {@code subject}
 * is listed in the subject's tag-schema index {@code <alg>-<hex>} (an OCI index stored as a blob
 * and tagged in {@code index.json}), exactly as on a registry without the API. {@link #referrers}
 * reads that index and also any manifest listed in {@code index.json} whose subject matches.
 *
 * <p><b>Integrity.</b> Manifests are stored and served byte-identical. Every read is verified
 * against its digest, so a corrupted file is a {@link DigestMismatchException}, never served.
 * Writes go to a temporary file in the layout directory, are verified while written and then
 * renamed into place; a failed write leaves nothing. Memory is bounded by a 64 KiB buffer per
 * transfer. Temporary files are named {@code .attest-*.tmp} in the layout directory; only a
 * crashed process leaves one behind, and it may then be deleted.
 *
 * <p><b>Concurrency.</b> {@code index.json} is replaced atomically, and its updates are
 * serialised by a lock shared by every {@code OciLayout} of the directory in this JVM, together
 * with an advisory file lock on {@code oci-layout} that serialises attest processes. Other tools
 * writing the same layout at the same time are not coordinated with.
 */
public final class OciLayout implements Registry {
  /** The image-spec annotation that names a tag in {@code index.json}. */
  public static final String REF_NAME = "org.opencontainers.image.ref.name";

  /** The containerd annotation that records {@code <repository>:<tag>} in {@code index.json}. */
  public static final String IMAGE_NAME = "io.containerd.image.name";

  /** The {@code imageLayoutVersion} written to {@code oci-layout}. */
  public static final String LAYOUT_VERSION = "1.0.0";

  /** Referrers listed for one subject at most. */
  public static final int MAX_REFERRERS = 10_000;

  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern REPOSITORY =
      Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  private static final int MAX_OCI_LAYOUT_BYTES = 64 * 1024;
  private static final int MAX_TAG_RETRIES = 100;

  private final Path dir;
  private final BlobStore blobs;
  private final LayoutIndex index;

  private OciLayout(Path dir) throws IOException {
    this.dir = dir;
    this.blobs = new BlobStore(dir);
    this.index = new LayoutIndex(dir);
  }

  /**
   * Opens an existing layout.
   *
   * @throws NotFoundException if {@code dir} has no {@code oci-layout} or {@code index.json}
   * @throws InvalidContentException if they are malformed or of an unsupported layout version
   */
  public static OciLayout open(Path dir) throws AttestException {
    Objects.requireNonNull(dir, "dir");
    Path abs = dir.toAbsolutePath().normalize();
    Path marker = abs.resolve("oci-layout");
    if (!Files.isRegularFile(marker)) {
      throw new NotFoundException("oci:" + abs + " is not an OCI image layout: it has no oci-layout file");
    }
    if (!Files.isRegularFile(abs.resolve("index.json"))) {
      throw new NotFoundException("oci:" + abs + " is not an OCI image layout: it has no index.json");
    }
    try {
      checkLayoutVersion(marker);
      OciLayout layout = new OciLayout(abs);
      layout.index.read(); // fail now, not at the first use, on a malformed index.json
      return layout;
    } catch (IOException e) {
      throw new RegistryException("cannot read the OCI image layout oci:" + abs + ": " + e, e);
    }
  }

  /**
   * Creates an empty layout in {@code dir} (created if absent), or opens the layout already
   * there.
   *
   * @throws RegistryException if {@code dir} is a non-empty directory that is not a layout, or
   *     cannot be written
   */
  public static OciLayout create(Path dir) throws AttestException {
    Objects.requireNonNull(dir, "dir");
    Path abs = dir.toAbsolutePath().normalize();
    if (Files.isRegularFile(abs.resolve("oci-layout"))) {
      return open(abs);
    }
    try {
      Files.createDirectories(abs);
      try (Stream<Path> children = Files.list(abs)) {
        if (children.findAny().isPresent()) {
          throw new RegistryException(
              "cannot create an OCI image layout in " + abs + ": the directory is not empty and has no oci-layout file");
        }
      }
      Files.createDirectories(abs.resolve("blobs").resolve("sha256"));
      byte[] emptyIndex =
          ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[]}")
              .getBytes(StandardCharsets.UTF_8);
      LayoutIndex.writeAtomically(abs, abs.resolve("index.json"), emptyIndex);
      // oci-layout last: its presence says the layout is complete.
      LayoutIndex.writeAtomically(
          abs, abs.resolve("oci-layout"),
          ("{\"imageLayoutVersion\":\"" + LAYOUT_VERSION + "\"}").getBytes(StandardCharsets.UTF_8));
      return new OciLayout(abs);
    } catch (IOException e) {
      throw new RegistryException("cannot create an OCI image layout in " + abs + ": " + e, e);
    }
  }

  private static void checkLayoutVersion(Path marker) throws IOException, InvalidContentException {
    byte[] bytes = BoundedReads.readFile(marker, MAX_OCI_LAYOUT_BYTES, marker.toString());
    JsonNode n;
    try {
      n = Json.read(bytes);
    } catch (IOException e) {
      throw new InvalidContentException(marker + " is not valid JSON", e);
    }
    JsonNode v = n.isObject() ? n.get("imageLayoutVersion") : null;
    if (v == null || !v.isTextual()) {
      throw new InvalidContentException(marker + " must be a JSON object with a string imageLayoutVersion");
    }
    if (!v.textValue().startsWith("1.")) {
      throw new InvalidContentException(
          marker + ": unsupported imageLayoutVersion '" + v.textValue() + "', expected 1.x");
    }
  }

  /** The layout directory, absolute. */
  public Path directory() {
    return dir;
  }

  @Override
  public String name() {
    return "oci:" + dir;
  }

  /** The layout directory as a {@code file:} URI: two objects of one directory are one storage. */
  @Override
  public Optional<java.net.URI> location() {
    return Optional.of(dir.toUri());
  }

  /**
   * Always offered: a layout has no referrers API, so every referrer is listed in its subject's
   * tag-schema index. Each update holds the layout's lock, so it is atomic among attest writers.
   */
  @Override
  public Optional<FallbackIndex> fallbackIndex() {
    return Optional.of(fallbackIndex);
  }

  /** Always offered: a listing is one read of {@code index.json}. */
  @Override
  public Optional<TagListing> tagListing() {
    return Optional.of(tagListing);
  }

  private final FallbackIndex fallbackIndex = new FallbackIndex() {
    @Override
    public void add(String repository, Digest subject, List<Descriptor> referrers, boolean newSubject)
        throws AttestException {
      if (referrers.isEmpty()) {
        throw new IllegalArgumentException("no referrers to add to the index of " + subject);
      }
      updateFallbackIndex(repository, subject, referrers, Set.of());
    }

    @Override
    public void update(String repository, Digest subject, List<Descriptor> adding, Set<Digest> dropping)
        throws AttestException {
      updateFallbackIndex(repository, subject, adding, dropping);
    }
  };

  private final TagListing tagListing = new TagListing() {
    @Override
    public Optional<List<String>> tagsUpTo(String repository, int max) throws AttestException {
      if (max < 1 || max > 10_000) {
        throw new IllegalArgumentException("max must be 1..10000: " + max);
      }
      List<String> all = tags(repository);
      return all.size() <= max ? Optional.of(all) : Optional.empty();
    }

    /** The index is read whatever the listing says: a file read costs less than the question. */
    @Override
    public List<Descriptor> referrers(String repository, Digest subject, @Nullable String artifactType,
        java.util.Collection<String> listedTags) throws AttestException {
      return OciLayout.this.referrers(repository, subject, artifactType);
    }
  };

  // ---- manifests ----

  @Override
  public Descriptor resolve(String repository, String reference) throws AttestException {
    checkRepository(repository);
    Optional<Digest> digest = asDigest(reference);
    if (digest.isPresent()) {
      return readManifest(digest.get(), null, reference).plainDescriptor();
    }
    Manifest m = readTag(repository, checkTag(reference)).orElseThrow(() -> notFound(repository, reference));
    return m.plainDescriptor();
  }

  @Override
  public Manifest fetchManifest(String repository, String reference) throws AttestException {
    checkRepository(repository);
    Optional<Digest> digest = asDigest(reference);
    if (digest.isPresent()) {
      return readManifest(digest.get(), null, reference);
    }
    return readTag(repository, checkTag(reference)).orElseThrow(() -> notFound(repository, reference));
  }

  /** Whether the layout holds content with this digest; content is shared by all repositories. */
  @Override
  public boolean hasManifest(String repository, Digest digest) {
    checkRepository(repository);
    return blobs.exists(digest);
  }

  @Override
  public PushResult pushManifest(String repository, Manifest manifest, PushOptions options)
      throws AttestException {
    checkRepository(repository);
    Objects.requireNonNull(options, "options");
    for (Descriptor needed : references(manifest)) {
      if (!blobs.exists(needed.digest())) {
        throw new RegistryException(
            name() + ": manifest " + manifest.digest() + " references " + needed.mediaType() + " "
                + needed.digest() + ", which is not in the layout; push it first");
      }
    }
    storeBytes(manifest.plainDescriptor(), manifest.bytes());
    if (options.tag() != null) {
      tag(repository, manifest.plainDescriptor(), options.tag());
    }
    boolean fallback = false;
    Optional<Descriptor> subject = manifest.subject();
    if (subject.isPresent() && options.updateFallbackIndex()) {
      updateFallbackIndex(repository, subject.get().digest(), List.of(manifest.descriptor()), Set.of());
      fallback = true;
    }
    return new PushResult(manifest.descriptor(), false, fallback);
  }

  @Override
  public void tag(String repository, Descriptor manifest, String tag) throws AttestException {
    checkRepository(repository);
    checkTag(tag);
    // Tag what is stored, with its real media type and size, not what the caller claims.
    Descriptor stored = readManifest(manifest.digest(), null, manifest.digest().toString()).plainDescriptor();
    try (LayoutIndex.Held held = index.lock()) {
      LayoutIndex.Contents c = contents();
      index.write(withTag(c.manifests(), repository, tag, stored), c.annotations());
    } catch (IOException e) {
      throw ioFailure("tag " + repository + ":" + tag, e);
    }
  }

  @Override
  public void delete(String repository, Digest digest) throws AttestException {
    checkRepository(repository);
    try (LayoutIndex.Held held = index.lock()) {
      if (!blobs.exists(digest)) {
        throw new NotFoundException(name() + ": " + digest + " not found");
      }
      LayoutIndex.Contents c = contents();
      List<Descriptor> entries = new ArrayList<>(c.manifests());
      List<Digest> superseded = new ArrayList<>();
      Optional<Digest> subject = subjectOf(digest);
      if (subject.isPresent()) {
        entries = removeFromFallbackIndexes(entries, subject.get(), digest, superseded);
      }
      entries.removeIf(e -> e.digest().equals(digest));
      index.write(entries, c.annotations());
      // Only once index.json no longer points at them, so that no reader finds a dangling tag.
      blobs.delete(digest);
      for (Digest old : superseded) {
        deleteIfUnlisted(old, entries);
      }
    } catch (IOException e) {
      throw ioFailure("delete " + digest, e);
    }
  }

  @Override
  public List<String> tags(String repository) throws AttestException {
    checkRepository(repository);
    Set<String> tags = new LinkedHashSet<>();
    for (Descriptor e : entries()) {
      String t = tagIn(e, repository);
      if (t != null) {
        tags.add(t);
      }
    }
    return List.copyOf(tags);
  }

  // ---- blobs ----

  @Override
  public boolean hasBlob(String repository, Digest digest) {
    checkRepository(repository);
    return blobs.exists(digest);
  }

  @Override
  public InputStream fetchBlob(String repository, Descriptor blob) throws AttestException {
    checkRepository(repository);
    try {
      return blob.digest().verifying(blobs.open(blob.digest()), blob.size());
    } catch (NoSuchFileException e) {
      throw new NotFoundException(name() + ": blob " + blob.digest() + " not found", e);
    } catch (IOException e) {
      throw ioFailure("read blob " + blob.digest(), e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>A file already present with the declared size is kept without rehashing; a damaged one is
   * caught when it is read.
   */
  @Override
  public void pushBlob(String repository, Descriptor blob, BlobSource source) throws AttestException {
    checkRepository(repository);
    try {
      if (blobs.size(blob.digest()) == blob.size()) {
        return;
      }
      try (InputStream in = source.open()) {
        blobs.write(blob, in);
      }
    } catch (IOException e) {
      throw ioFailure("write blob " + blob.digest(), e);
    }
  }

  @Override
  public Descriptor pushBlob(String repository, String mediaType, InputStream data) throws AttestException {
    checkRepository(repository);
    Descriptor.of(mediaType, Descriptor.EMPTY.digest(), 0); // rejects a malformed media type before writing
    try {
      BlobStore.Written w = blobs.write(data);
      return Descriptor.of(mediaType, w.digest(), w.size());
    } catch (IOException e) {
      throw ioFailure("write a blob", e);
    }
  }

  /** Blobs are shared by every repository of a layout: true if the blob is present. */
  @Override
  public boolean mountBlob(String repository, Digest digest, String fromRepository) {
    checkRepository(repository);
    checkRepository(fromRepository);
    return blobs.exists(digest);
  }

  // ---- referrers ----

  @Override
  public List<Descriptor> referrers(String repository, Digest subject, @Nullable String artifactType)
      throws AttestException {
    checkRepository(repository);
    Map<Digest, Descriptor> found = new LinkedHashMap<>();
    Optional<Manifest> fallback = readTag(repository, subject.tagSchemaTag());
    if (fallback.isPresent()) {
      Manifest m = fallback.get();
      if (!(m instanceof ImageIndex)) {
        throw new InvalidContentException(
            name() + ": the referrers tag " + subject.tagSchemaTag() + " is a " + m.mediaType() + ", not an index");
      }
      for (Descriptor d : ((ImageIndex) m).manifests()) {
        add(found, d);
      }
    }
    // Manifests listed in index.json by other tools may name the subject without a fallback index.
    Set<Digest> seen = new HashSet<>();
    for (Descriptor e : entries()) {
      boolean visible = tagIn(e, repository) != null || !e.annotations().containsKey(REF_NAME);
      if (!visible || found.containsKey(e.digest()) || !MediaTypes.isManifest(e.mediaType())
          || e.size() > Manifest.MAX_BYTES || !seen.add(e.digest())) {
        continue;
      }
      Manifest m;
      try {
        m = readManifest(e, e.digest().toString());
      } catch (NotFoundException gone) {
        // Replaced and deleted by a concurrent writer since we read index.json: no longer listed.
        if (entries().stream().noneMatch(x -> x.digest().equals(e.digest()))) {
          continue;
        }
        throw gone;
      }
      if (m.subject().map(s -> s.digest().equals(subject)).orElse(false)) {
        add(found, m.descriptor());
      }
    }
    return found.values().stream()
        .filter(d -> artifactType == null || artifactType.equals(d.artifactType()))
        .toList();
  }

  private static void add(Map<Digest, Descriptor> found, Descriptor d) throws InvalidContentException {
    found.putIfAbsent(d.digest(), d);
    if (found.size() > MAX_REFERRERS) {
      throw new InvalidContentException("more than " + MAX_REFERRERS + " referrers");
    }
  }

  /** Nothing to release: every file is closed after each call. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return name();
  }

  // ---- internals ----

  /**
   * Drops {@code dropping} from, and adds {@code adding} to, the tag-schema index of {@code subject}
   * under the layout's lock; entries already listed keep their descriptor. Nothing is written if
   * the index already agrees, or if there is none and nothing to add.
   */
  private void updateFallbackIndex(String repository, Digest subject, List<Descriptor> adding, Set<Digest> dropping)
      throws AttestException {
    checkRepository(repository);
    String tag = subject.tagSchemaTag();
    try (LayoutIndex.Held held = index.lock()) {
      LayoutIndex.Contents c = contents();
      Optional<Descriptor> current = findTag(c.manifests(), repository, tag);
      if (current.isEmpty() && adding.isEmpty()) {
        return;
      }
      List<Descriptor> listed = new ArrayList<>();
      if (current.isPresent()) {
        Manifest m = readManifest(current.get(), repository + ":" + tag);
        if (!(m instanceof ImageIndex)) {
          throw new InvalidContentException(
              name() + ": the referrers tag " + tag + " is a " + m.mediaType() + ", not an index; not overwriting it");
        }
        listed.addAll(((ImageIndex) m).manifests());
      }
      boolean changed = listed.removeIf(d -> dropping.contains(d.digest()));
      Set<Digest> present = new HashSet<>();
      listed.forEach(d -> present.add(d.digest()));
      for (Descriptor d : adding) {
        if (!dropping.contains(d.digest()) && present.add(d.digest())) {
          listed.add(d.withoutData());
          changed = true;
        }
      }
      if (!changed) {
        return;
      }
      if (listed.size() > MAX_REFERRERS) {
        throw new InvalidContentException(name() + ": " + tag + " would list more than " + MAX_REFERRERS + " referrers");
      }
      ImageIndex updated = ImageIndex.builder().manifests(listed).build();
      storeBytes(updated.plainDescriptor(), updated.bytes());
      List<Descriptor> entries = withTag(c.manifests(), repository, tag, updated.plainDescriptor());
      index.write(entries, c.annotations());
      if (current.isPresent()) {
        deleteIfUnlisted(current.get().digest(), entries);
      }
    } catch (IOException e) {
      throw ioFailure("update the referrers index " + tag, e);
    }
  }

  /**
   * Drops {@code referrer} from every fallback index of {@code subject}, adding the replaced
   * indexes to {@code superseded}; called under the lock.
   */
  private List<Descriptor> removeFromFallbackIndexes(
      List<Descriptor> entries, Digest subject, Digest referrer, List<Digest> superseded) throws AttestException {
    String tag = subject.tagSchemaTag();
    List<Descriptor> out = new ArrayList<>(entries);
    for (int i = 0; i < out.size(); i++) {
      Descriptor e = out.get(i);
      if (!tag.equals(e.annotations().get(REF_NAME)) || !blobs.exists(e.digest())) {
        continue;
      }
      Manifest m = readManifest(e, tag);
      if (!(m instanceof ImageIndex)) {
        continue;
      }
      List<Descriptor> kept = ((ImageIndex) m).manifests().stream()
          .filter(d -> !d.digest().equals(referrer)).toList();
      if (kept.size() == ((ImageIndex) m).manifests().size()) {
        continue;
      }
      ImageIndex updated = ImageIndex.builder().manifests(kept).build();
      storeBytes(updated.plainDescriptor(), updated.bytes());
      out.set(i, new Descriptor(updated.mediaType(), updated.digest(), updated.size(), null,
          e.annotations(), null, null, List.of(), Map.of()));
      superseded.add(e.digest());
    }
    return out;
  }

  private void deleteIfUnlisted(Digest old, List<Descriptor> entries) throws IOException {
    if (entries.stream().noneMatch(e -> e.digest().equals(old))) {
      blobs.delete(old);
    }
  }

  /** The subject of the manifest stored as {@code digest}, if it is a manifest with one. */
  private Optional<Digest> subjectOf(Digest digest) {
    try {
      byte[] bytes = blobs.readVerified(digest, Manifest.MAX_BYTES);
      return Manifest.parse(bytes).subject().map(Descriptor::digest);
    } catch (IOException | AttestException | RuntimeException e) {
      return Optional.empty(); // a plain blob, or a damaged one: nothing to unlist
    }
  }

  /** {@code entries} with {@code tag} of {@code repository} pointing at {@code target}. */
  private static List<Descriptor> withTag(List<Descriptor> entries, String repository, String tag, Descriptor target) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(REF_NAME, tag);
    annotations.put(IMAGE_NAME, repository + ":" + tag);
    Descriptor entry = new Descriptor(
        target.mediaType(), target.digest(), target.size(), null, annotations, target.platform(), null,
        List.of(), Map.of());
    List<Descriptor> out = new ArrayList<>(entries.size() + 1);
    boolean placed = false;
    for (Descriptor e : entries) {
      if (tag.equals(tagIn(e, repository))) {
        if (!placed) {
          out.add(entry); // keep the position of the tag it replaces
          placed = true;
        }
      } else {
        out.add(e);
      }
    }
    if (!placed) {
      out.add(entry);
    }
    return out;
  }

  /** The tag {@code entry} gives {@code repository}, or null. */
  private static @Nullable String tagIn(Descriptor entry, String repository) {
    String ref = entry.annotations().get(REF_NAME);
    if (ref == null) {
      return null;
    }
    String image = entry.annotations().get(IMAGE_NAME);
    if (image == null) {
      return ref;
    }
    return image.equals(repository + ":" + ref) ? ref : null;
  }

  /**
   * Reads the manifest a tag points at. A writer may move the tag and delete the superseded blob
   * (a replaced referrers index) between our reading index.json and the blob, so a vanished blob
   * is retried for as long as the tag keeps moving.
   */
  private Optional<Manifest> readTag(String repository, String tag) throws AttestException {
    @Nullable Digest previous = null;
    for (int attempt = 0; ; attempt++) {
      Optional<Descriptor> entry = findTag(entries(), repository, tag);
      if (entry.isEmpty()) {
        return Optional.empty();
      }
      try {
        return Optional.of(readManifest(entry.get(), repository + ":" + tag));
      } catch (NotFoundException e) {
        boolean moved = previous != null && !previous.equals(entry.get().digest());
        if ((attempt > 0 && !moved) || attempt >= MAX_TAG_RETRIES) {
          throw new NotFoundException(
              name() + ": tag " + repository + ":" + tag + " points at " + entry.get().digest() + ", which is missing", e);
        }
        previous = entry.get().digest();
      }
    }
  }

  private static Optional<Descriptor> findTag(List<Descriptor> entries, String repository, String tag) {
    return entries.stream().filter(e -> tag.equals(tagIn(e, repository))).findFirst();
  }

  private static List<Descriptor> references(Manifest manifest) {
    if (manifest instanceof ImageIndex) {
      return ((ImageIndex) manifest).manifests();
    }
    // Foreign layers (with urls) are not distributed, so they need not be present.
    return ((ImageManifest) manifest).blobs().stream().filter(d -> d.urls().isEmpty()).toList();
  }

  private void storeBytes(Descriptor descriptor, byte[] bytes) throws AttestException {
    try {
      if (blobs.size(descriptor.digest()) != descriptor.size()) {
        blobs.write(descriptor, new ByteArrayInputStream(bytes));
      }
    } catch (IOException e) {
      throw ioFailure("write " + descriptor.digest(), e);
    }
  }

  /** Reads, verifies and parses the manifest an {@code index.json} entry points at. */
  private Manifest readManifest(Descriptor entry, String what) throws AttestException {
    Manifest m = readManifest(entry.digest(), entry.mediaType(), what);
    if (m.size() != entry.size()) {
      throw DigestMismatchException.size(name() + " " + what, entry.digest(), entry.size(), m.size());
    }
    return m;
  }

  private Manifest readManifest(Digest digest, @Nullable String mediaType, String what) throws AttestException {
    byte[] bytes;
    try {
      bytes = blobs.readVerified(digest, Manifest.MAX_BYTES);
    } catch (NoSuchFileException e) {
      throw new NotFoundException(name() + ": manifest " + what + " not found (no blob " + digest + ")", e);
    } catch (TooLargeException e) {
      throw new NotFoundException(name() + ": " + what + " is a blob of "
          + (e.size().isPresent() ? e.size().getAsLong() + " bytes" : "more bytes")
          + ", not a manifest (limit " + Manifest.MAX_BYTES + ")", e);
    } catch (IOException e) {
      throw ioFailure("read manifest " + what, e);
    }
    return Manifest.parse(bytes, mediaType);
  }

  /**
   * The repositories that the tags of {@code index.json} name ({@code io.containerd.image.name}
   * {@code <repository>:<tag>}), sorted; empty when no tag names one (a layout written by skopeo
   * or ORAS, whose tags belong to every repository).
   */
  public List<String> repositories() throws AttestException {
    java.util.TreeSet<String> out = new java.util.TreeSet<>();
    for (Descriptor e : entries()) {
      String image = e.annotations().get(IMAGE_NAME);
      String ref = e.annotations().get(REF_NAME);
      if (image != null && ref != null && image.endsWith(":" + ref)) {
        out.add(image.substring(0, image.length() - ref.length() - 1));
      }
    }
    return List.copyOf(out);
  }

  private List<Descriptor> entries() throws AttestException {
    return contents().manifests();
  }

  private LayoutIndex.Contents contents() throws AttestException {
    try {
      return index.read();
    } catch (IOException e) {
      throw ioFailure("read index.json", e);
    }
  }

  private NotFoundException notFound(String repository, String tag) {
    return new NotFoundException(name() + ": no tag '" + tag + "' in repository " + repository);
  }

  private RegistryException ioFailure(String what, IOException e) {
    return new RegistryException(name() + ": cannot " + what + ": " + e, e);
  }

  private static Optional<Digest> asDigest(String reference) {
    Objects.requireNonNull(reference, "reference");
    return reference.indexOf(':') >= 0 ? Optional.of(Digest.parse(reference)) : Optional.empty();
  }

  private static String checkTag(String tag) {
    Objects.requireNonNull(tag, "tag");
    if (!TAG.matcher(tag).matches()) {
      throw new IllegalArgumentException("invalid tag '" + tag + "': must match " + TAG.pattern());
    }
    return tag;
  }

  private static void checkRepository(String repository) {
    Objects.requireNonNull(repository, "repository");
    if (repository.length() > 255 || !REPOSITORY.matcher(repository).matches()) {
      throw new IllegalArgumentException(
          "invalid repository '" + repository + "': must be lowercase path components such as team/app");
    }
  }
}
