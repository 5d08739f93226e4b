package dev.attest.promote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.MediaTypes;
import dev.attest.registry.OciLayout;
import dev.attest.registry.RemoteRegistry;
import dev.attest.testing.EmbeddedRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@link OciLayout} destination takes promotion's one code path (ADR 0031): its referrers are
 * listed with one {@code FallbackIndex} update per subject, and an index entry that points at
 * nothing is dropped, as on a registry without the referrers API.
 */
class PromotionToLayoutTest {
  EmbeddedRegistry server;
  RemoteRegistry src;

  @BeforeEach
  void start() {
    server = EmbeddedRegistry.builder().inMemory().referrersApi(true).build().start();
    src = RemoteRegistry.builder(server.host()).build();
  }

  @AfterEach
  void stop() {
    src.close();
    server.close();
  }

  @Test
  void referrersAreIndexedOncePerSubjectAndADanglingEntryIsDropped(@TempDir Path dir) throws Exception {
    ImageIndex index = Content.multi(src, "dev/api", 7);
    try (OciLayout layout = OciLayout.create(dir.resolve("layout"))) {
      PromotionReport first = Promotion.of(index.digest()).from(src, "dev/api").to(layout, "acme/api").tags("v1")
          .execute();
      Content.assertPromoted(src, "dev/api", layout, "acme/api", index.digest());
      // 10 referrers, each listed in its subject's index (one FallbackIndex update per subject).
      assertThat(first.referrerIndexUpdates()).isEqualTo(10);

      // Another tool lists a referrer that exists nowhere in the index's subject index.
      Descriptor ghost = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256("ghost".getBytes(StandardCharsets.UTF_8)),
          123).withArtifactType(Content.SBOM);
      layout.fallbackIndex().orElseThrow().add("acme/api", index.digest(), List.of(ghost), false);
      assertThat(layout.referrers("acme/api", index.digest(), null)).extracting(Descriptor::digest)
          .contains(ghost.digest());

      PromotionReport healed = Promotion.of(index.digest()).from(src, "dev/api").to(layout, "acme/api").tags("v1")
          .execute();
      assertThat(healed.dropped()).extracting(PromotionPlan.Dropped::entry).containsExactly(ghost.digest());
      assertThat(layout.referrers("acme/api", index.digest(), null)).extracting(Descriptor::digest)
          .doesNotContain(ghost.digest()).isNotEmpty();
      Content.assertPromoted(src, "dev/api", layout, "acme/api", index.digest());
    }
  }
}
