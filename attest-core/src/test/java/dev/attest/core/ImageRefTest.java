package dev.attest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reference grammar, case by case. Cases follow the rules of distribution/reference
 * (regexp.go, normalize.go) and the inputs of its reference_test.go and normalize_test.go.
 */
class ImageRefTest {
  static final String F64 = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
  static final String SHA256 = "sha256:" + F64;
  static final String SHA512 = "sha512:" + F64 + F64;
  static final String HEX64 = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";

  static Arguments ok(String input, String registry, String repository, @Nullable String tag, @Nullable String digest) {
    return arguments(input, registry, repository, tag, digest);
  }

  static Stream<Arguments> valid() {
    return Stream.of(
        // Docker Hub normalisation
        ok("alpine", "docker.io", "library/alpine", "latest", null),
        ok("alpine:3.20", "docker.io", "library/alpine", "3.20", null),
        ok("library/alpine", "docker.io", "library/alpine", "latest", null),
        ok("docker.io/alpine", "docker.io", "library/alpine", "latest", null),
        ok("docker.io/library/alpine:latest", "docker.io", "library/alpine", "latest", null),
        ok("index.docker.io/alpine", "docker.io", "library/alpine", "latest", null),
        ok("index.docker.io/docker/docker", "docker.io", "docker/docker", "latest", null),
        ok("docker/docker", "docker.io", "docker/docker", "latest", null),
        ok("library/foo/bar", "docker.io", "library/foo/bar", "latest", null),
        ok("store/foo/bar", "docker.io", "store/foo/bar", "latest", null),
        ok("test_com/foo", "docker.io", "test_com/foo", "latest", null),
        ok("test_com", "docker.io", "library/test_com", "latest", null),
        // a single element with ':' is name:tag, never host:port
        ok("test.com:5000", "docker.io", "library/test.com", "5000", null),
        ok("test.com:tag", "docker.io", "library/test.com", "tag", null),
        ok("192.168.1.1", "docker.io", "library/192.168.1.1", "latest", null),
        ok("192.168.1.1:5000", "docker.io", "library/192.168.1.1", "5000", null),
        ok("foo_bar.com:8080", "docker.io", "library/foo_bar.com", "8080", null),
        ok("localhost", "docker.io", "library/localhost", "latest", null),
        ok("foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com", "8080", null),
        // the default tag only when neither tag nor digest is given
        ok("redis@" + SHA256, "docker.io", "library/redis", null, SHA256),
        ok("busybox:latest@" + SHA256, "docker.io", "library/busybox", "latest", SHA256),
        ok("dmcgowan/myapp@" + SHA256, "docker.io", "dmcgowan/myapp", null, SHA256),
        // domains: '.', ':', localhost or uppercase make the first element a domain
        ok("test.com/repo:tag", "test.com", "repo", "tag", null),
        ok("test:5000/repo", "test:5000", "repo", "latest", null),
        ok("test:5000/repo:tag", "test:5000", "repo", "tag", null),
        ok("test:5000/repo@" + SHA256, "test:5000", "repo", null, SHA256),
        ok("test:5000/repo:tag@" + SHA256, "test:5000", "repo", "tag", SHA256),
        ok("localhost/foo", "localhost", "foo", "latest", null),
        ok("localhost:5000/foo/bar:1.0", "localhost:5000", "foo/bar", "1.0", null),
        ok("Docker/docker", "Docker", "docker", "latest", null),
        ok("FOO/bar", "FOO", "bar", "latest", null),
        ok("sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux", "some-long-tag", null),
        ok("b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app", "test.example.com", null),
        ok("xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", null),
        ok("xn--7o8h.com/myimage:xn--7o8h.com@" + SHA512, "xn--7o8h.com", "myimage", "xn--7o8h.com", SHA512),
        ok("192.168.1.1/repo", "192.168.1.1", "repo", "latest", null),
        ok("192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", "5050", null),
        ok("127.0.0.1:5000/library/debian", "127.0.0.1:5000", "library/debian", "latest", null),
        ok("ghcr.io/owner/app:v1.2.3", "ghcr.io", "owner/app", "v1.2.3", null),
        // IPv6 in brackets, with and without port
        ok("[2001:db8::1]/repo", "[2001:db8::1]", "repo", "latest", null),
        ok("[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", "tag", null),
        ok("[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "repo", "latest", null),
        ok("[2001:db8::1]:5000/repo:tag@" + SHA256, "[2001:db8::1]:5000", "repo", "tag", SHA256),
        ok("[2001:db8::]:5000/repo", "[2001:db8::]:5000", "repo", "latest", null),
        ok("[::1]:5000/repo", "[::1]:5000", "repo", "latest", null),
        ok("[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000", "library/debian", "latest", null),
        // path component separators: '.', '_', '__', any number of '-'
        ok("docker-rules/docker", "docker.io", "docker-rules/docker", "latest", null),
        ok("docker---rules/docker", "docker.io", "docker---rules/docker", "latest", null),
        ok("dock__er/docker", "docker.io", "dock__er/docker", "latest", null),
        ok("ns/a.b_c__d-e--f", "docker.io", "ns/a.b_c__d-e--f", "latest", null),
        ok("ns/x1.y2", "docker.io", "ns/x1.y2", "latest", null),
        ok("d/docker", "docker.io", "d/docker", "latest", null),
        ok("jess/t", "docker.io", "jess/t", "latest", null),
        ok("thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
            "docker.io", "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "latest", null),
        // 64 hex is an identifier only when bare
        ok("docker.io/" + HEX64, "docker.io", "library/" + HEX64, "latest", null),
        ok(HEX64 + ":tag", "docker.io", "library/" + HEX64, "tag", null),
        // tags: word characters, '.', '-'; case kept; up to 128
        ok("lowercase:Uppercase", "docker.io", "library/lowercase", "Uppercase", null),
        ok("a:_x", "docker.io", "library/a", "_x", null),
        ok("a:" + "t".repeat(128), "docker.io", "library/a", "t".repeat(128), null),
        ok("a:1.0-rc.1_b", "docker.io", "library/a", "1.0-rc.1_b", null),
        // the name limit counts the full, normalised name
        ok("x.io/" + "a/".repeat(122) + "ab:t", "x.io", "a/".repeat(122) + "ab", "t", null),
        ok("a" + "/a".repeat(122) + ":tag-puts-this-over-max", "docker.io", "a" + "/a".repeat(122), "tag-puts-this-over-max", null));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("valid")
  void parsesValidReferences(
      String input, String registry, String repository, @Nullable String tag, @Nullable String digest) {
    ImageRef ref = ImageRef.parse(input);

    assertThat(ref.registry()).isEqualTo(registry);
    assertThat(ref.repository()).isEqualTo(repository);
    assertThat(ref.tag()).isEqualTo(tag);
    assertThat(ref.digest()).isEqualTo(digest == null ? null : Digest.parse(digest));
    String canonical = registry + "/" + repository + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    assertThat(ref.toString()).isEqualTo(canonical);
    assertThat(ref.reference()).isEqualTo(digest != null ? digest : tag);
    // the canonical form is a fixed point
    assertThat(ImageRef.parse(ref.toString())).isEqualTo(ref);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        arguments("", "reference is empty"),
        arguments(":justtag", "repository name is empty"),
        arguments("@" + SHA256, "repository name is empty"),
        arguments("repo:", "tag after ':' is empty"),
        arguments("repo@", "invalid digest: empty string"),
        // digests go through the strict Digest.parse
        arguments("repo@sha256:ffffffffffffffffffffffffffffffffff", "sha256 needs 64 hex characters, got 34"),
        arguments("validname@invaliddigest:" + F64, "unsupported digest algorithm 'invaliddigest'"),
        arguments("repo@sha256:" + F64.toUpperCase(), "uppercase hex 'F'"),
        arguments("repo@sha256:" + F64.toUpperCase(), "only sha256 or sha512 digests in lowercase hex"),
        arguments("repo@md5:" + F64.substring(0, 32), "unsupported digest algorithm 'md5'"),
        arguments("repo@" + F64, "missing ':' between algorithm and hex"),
        arguments("repo@sha256:" + F64 + "@sha256:" + F64, "is not lowercase hex"),
        // lowercase repositories
        arguments("Uppercase:tag", "repository must be lowercase"),
        arguments("test:5000/Uppercase/lowercase:tag", "repository must be lowercase"),
        arguments("docker/Docker", "repository must be lowercase"),
        arguments("docker.io/docker/Docker", "repository must be lowercase"),
        // path components
        arguments("aa/asdf$$^/aa", "path component 'asdf$$^' has invalid character '$'"),
        arguments("-docker", "must start and end with a lowercase letter or digit"),
        arguments("-docker/docker", "path component '-docker' must start and end"),
        arguments("docker-/docker", "path component 'docker-' must start and end"),
        arguments("-docker-/docker", "must start and end with a lowercase letter or digit"),
        arguments("____/____", "must start and end with a lowercase letter or digit"),
        arguments("_docker/_docker", "must start and end with a lowercase letter or digit"),
        arguments("docker/dock..er", "invalid separator '..'"),
        arguments("docker/dock_.er", "invalid separator '_.'"),
        arguments("docker/dock-.er", "invalid separator '-.'"),
        // with a '.', the first element is a registry host, where these fail differently
        arguments("dock..er/docker", "registry host 'dock..er' has an empty label"),
        arguments("dock_.er/docker", "registry host 'dock_.er' has invalid character '_'"),
        arguments("dock-.er/docker", "registry host label 'dock-' must start and end"),
        arguments("dock___er/docker", "invalid separator '___'"),
        arguments("docker///docker", "empty path component"),
        arguments("docker.io/docker///docker", "empty path component"),
        arguments("docker/", "empty path component"),
        arguments("example.com/", "repository name after 'example.com/' is empty"),
        arguments("foo/b ar", "invalid character '\\u0020'"),
        arguments("foo/bär", "invalid character '\\u00e4'"),
        // registries
        arguments("-docker.io/docker/docker", "registry host label '-docker' must start and end with a letter or digit"),
        arguments("docker-.io/x", "registry host label 'docker-' must start and end"),
        arguments("a..b/x", "registry host 'a..b' has an empty label"),
        arguments("my_host.com/x", "registry host 'my_host.com' has invalid character '_'"),
        arguments("host:/x", "empty port"),
        arguments("host:50a0/x", "must be decimal digits"),
        arguments("host:65536/x", "is over 65535"),
        arguments("https://github.com/docker/docker", "no URL scheme"),
        arguments("fc00::1:5000/debian", "write IPv6 addresses in brackets"),
        arguments("[fe80::1%eth0]:5000/repo", "zone IDs and embedded IPv4 are not supported"),
        arguments("[fe80::1%@invalidzone]:5000/repo", "unsupported digest algorithm 'invalidzone]'"),
        arguments("[2001:db8:3:4::192.0.2.33]:5000/debian", "may contain only hex digits and ':', not '.'"),
        arguments("[2001:db8::1]x/repo", "expected ':port'"),
        arguments("[]/repo", "path component '[]' has invalid character '['"),
        arguments("[]:5000/repo", "IPv6 address '[]' is empty"),
        arguments("[2001:db8::1]", "invalid character '['"),
        arguments("[2001:db8::1]:5000", "invalid character '['"),
        arguments("[fc00::1]", "invalid character '['"),
        // tags
        arguments("a:" + "t".repeat(129), "longer than 128 characters (129)"),
        arguments("a:-foo", "tag '-foo' must start with a letter, digit or '_'"),
        arguments("a:.foo", "must start with a letter, digit or '_'"),
        arguments("a:fo+o", "tag 'fo+o' has invalid character '+'"),
        arguments("a:t\u00e4g", "has invalid character '\\u00e4'"),
        // 64 hex alone is an image ID
        arguments(HEX64, "is an image ID, not a repository name"),
        // name length
        arguments("a" + "/a".repeat(128) + ":tag", "name longer than 255 characters: 267"),
        // valid for Parse in distribution/reference, but too long once normalised onto docker.io
        arguments("a" + "/a".repeat(127) + ":tag-puts-this-over-max", "name longer than 255 characters: 265"),
        arguments("this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker",
            "name longer than 255 characters"),
        arguments("x.io/" + "a".repeat(251), "name longer than 255 characters: 256"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("invalid")
  void rejectsInvalidReferences(String input, String fragment) {
    assertThatThrownBy(() -> ImageRef.parse(input))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid image reference '")
        .hasMessageContaining(fragment);
  }

  @Test
  void tableHasAtLeastSixtyCases() {
    assertThat(valid().count() + invalid().count()).isGreaterThanOrEqualTo(60);
  }

  @Test
  void nameOfExactly255CharactersIsAllowed() {
    ImageRef ref = ImageRef.parse("x.io/" + "a".repeat(250));
    assertThat(ref.name()).hasSize(255);
  }

  @Test
  void constructorNormalisesLikeParse() {
    ImageRef ref = new ImageRef("index.docker.io", "alpine", "3", null);
    assertThat(ref).isEqualTo(ImageRef.parse("alpine:3"));
    assertThat(ref.toString()).isEqualTo("docker.io/library/alpine:3");
  }

  @Test
  void constructorValidatesEveryPart() {
    assertThatThrownBy(() -> new ImageRef("docker.io", "Alpine", "3", null))
        .hasMessageContaining("repository must be lowercase");
    assertThatThrownBy(() -> new ImageRef("bad host", "a", "3", null))
        .hasMessageContaining("invalid character '\\u0020'");
    assertThatThrownBy(() -> new ImageRef("ghcr.io", "a", "", null)).hasMessageContaining("tag is empty");
    assertThatThrownBy(() -> new ImageRef("ghcr.io", "a", null, null))
        .hasMessageContaining("needs a tag or a digest");
  }

  @Test
  void withDigestKeepsTagAndReferenceIsTheDigest() {
    Digest d = Digest.parse(SHA256);
    ImageRef ref = ImageRef.parse("host:5000/a/b:t").withDigest(d);
    assertThat(ref.toString()).isEqualTo("host:5000/a/b:t@" + SHA256);
    assertThat(ref.reference()).isEqualTo(SHA256);
    assertThat(ref.tag()).isEqualTo("t");
  }

  @Test
  void withoutTagLeavesAPureDigestReference() {
    ImageRef ref = ImageRef.parse("host:5000/a/b:t@" + SHA256).withoutTag();
    assertThat(ref.toString()).isEqualTo("host:5000/a/b@" + SHA256);
    assertThat(ref.tag()).isNull();
    assertThatThrownBy(() -> ImageRef.parse("alpine").withoutTag())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs a tag or a digest");
  }

  @Test
  void withTagValidatesAndKeepsDigest() {
    ImageRef ref = ImageRef.parse("alpine@" + SHA256).withTag("edge");
    assertThat(ref.toString()).isEqualTo("docker.io/library/alpine:edge@" + SHA256);
    assertThat(ref.reference()).isEqualTo(SHA256);
    assertThat(ImageRef.parse("alpine").withTag("3.20").reference()).isEqualTo("3.20");
    assertThatThrownBy(() -> ImageRef.parse("alpine").withTag("-x")).hasMessageContaining("must start with");
    assertThatThrownBy(() -> ImageRef.parse("alpine").withTag("x".repeat(129)))
        .hasMessageContaining("longer than 128 characters");
  }

  @Test
  void withRegistryAndRepositoryRenormalise() {
    ImageRef ref = ImageRef.parse("ghcr.io/o/app:1");
    assertThat(ref.withRegistry("localhost:5000").toString()).isEqualTo("localhost:5000/o/app:1");
    assertThat(ImageRef.parse("ghcr.io/app:1").withRegistry("docker.io").toString())
        .isEqualTo("docker.io/library/app:1");
    assertThat(ref.withRepository("p/q").toString()).isEqualTo("ghcr.io/p/q:1");
  }

  @Test
  void factoriesBuildTagAndDigestReferences() {
    Digest d = Digest.parse(SHA256);
    assertThat(ImageRef.of("ghcr.io", "o/a", d).toString()).isEqualTo("ghcr.io/o/a@" + SHA256);
    assertThat(ImageRef.of("ghcr.io", "o/a", "v1").toString()).isEqualTo("ghcr.io/o/a:v1");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "localhost/a, true",
    "localhost:5000/a, true",
    "LOCALHOST/a, true",
    "127.0.0.1:5000/a, true",
    "127.1.2.3/a, true",
    "127.0.0.256/a, false",
    "127.0.0/a, false",
    "128.0.0.1/a, false",
    "[::1]:5000/a, true",
    "[::1]/a, true",
    "[0:0:0:0:0:0:0:1]/a, true",
    "[::0001]:5000/a, true",
    "[::2]/a, false",
    "[1::1]/a, false",
    "[::]/a, false",
    "localhost.example.com/a, false",
    "127.0.0.1.nip.io/a, false",
    "alpine, false",
    "ghcr.io/a, false",
  })
  void localhostMeansLoopbackOnly(String ref, boolean expected) {
    assertThat(ImageRef.parse(ref).isLocalhost()).isEqualTo(expected);
  }
}
