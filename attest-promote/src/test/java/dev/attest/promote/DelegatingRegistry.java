package dev.attest.promote;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.Manifest;
import dev.attest.registry.BlobSource;
import dev.attest.registry.PushOptions;
import dev.attest.registry.PushResult;
import dev.attest.registry.Registry;
import java.io.InputStream;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A registry that forwards every call, for tests to override one. */
class DelegatingRegistry implements Registry {
  private final Registry d;

  DelegatingRegistry(Registry delegate) {
    this.d = delegate;
  }

  @Override
  public String name() {
    return d.name();
  }

  @Override
  public Descriptor resolve(String repository, String reference) throws AttestException {
    return d.resolve(repository, reference);
  }

  @Override
  public Manifest fetchManifest(String repository, String reference) throws AttestException {
    return d.fetchManifest(repository, reference);
  }

  @Override
  public boolean hasManifest(String repository, Digest digest) throws AttestException {
    return d.hasManifest(repository, digest);
  }

  @Override
  public PushResult pushManifest(String repository, Manifest manifest, PushOptions options) throws AttestException {
    return d.pushManifest(repository, manifest, options);
  }

  @Override
  public void tag(String repository, Descriptor manifest, String tag) throws AttestException {
    d.tag(repository, manifest, tag);
  }

  @Override
  public void delete(String repository, Digest digest) throws AttestException {
    d.delete(repository, digest);
  }

  @Override
  public List<String> tags(String repository) throws AttestException {
    return d.tags(repository);
  }

  @Override
  public boolean hasBlob(String repository, Digest digest) throws AttestException {
    return d.hasBlob(repository, digest);
  }

  @Override
  public InputStream fetchBlob(String repository, Descriptor blob) throws AttestException {
    return d.fetchBlob(repository, blob);
  }

  @Override
  public void pushBlob(String repository, Descriptor blob, BlobSource source) throws AttestException {
    d.pushBlob(repository, blob, source);
  }

  @Override
  public Descriptor pushBlob(String repository, String mediaType, InputStream data) throws AttestException {
    return d.pushBlob(repository, mediaType, data);
  }

  @Override
  public boolean mountBlob(String repository, Digest digest, String fromRepository) throws AttestException {
    return d.mountBlob(repository, digest, fromRepository);
  }

  @Override
  public List<Descriptor> referrers(String repository, Digest subject, @Nullable String artifactType)
      throws AttestException {
    return d.referrers(repository, subject, artifactType);
  }

  @Override
  public void close() {}
}
