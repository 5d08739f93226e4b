package dev.attest.verify.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.Digest;
import dev.attest.core.ImageManifest;
import dev.attest.core.Keys;
import dev.attest.core.Signer;
import dev.attest.registry.NotFoundException;
import dev.attest.registry.Registry;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PrefetchingRegistryTest {

  /** Counts calls per "method argument" key on the delegate. */
  static final class Counting {
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    Registry wrap(Registry r) {
      return (Registry) Proxy.newProxyInstance(Registry.class.getClassLoader(), new Class<?>[] {Registry.class},
          (proxy, m, args) -> {
            String key = m.getName() + (args != null && args.length > 1 ? " " + args[1] : "");
            calls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            try {
              return m.invoke(r, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    int count(String key) {
      AtomicInteger n = calls.get(key);
      return n == null ? 0 : n.get();
    }
  }

  @Test
  void aStartedListingIsUsedOnceAndTheLegacyTagsAreAskedForAlongsideIt() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().referrersApi(false).build().start();
        Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      Signer signer = Keys.signer(Keys.generateP256());
      dev.attest.registry.Attestations.on(registry, "app", image.digest()).imageSignature()
          .predicate("https://example.com/a/v1", "{\"a\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
          .predicate("https://example.com/b/v1", "{\"b\":2}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
          .predicate("https://example.com/c/v1", "{\"c\":3}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
          .signWith(signer).attach();
      Counting counting = new Counting();
      PrefetchingRegistry p = new PrefetchingRegistry(counting.wrap(registry), pool);
      Digest d = image.digest();

      p.startReferrers("app", d);
      assertThat(p.referrers("app", d, null)).hasSize(4);
      assertThat(p.referrers("app", d, null)).hasSize(4);
      assertThat(counting.count("referrers " + d)).isEqualTo(1);

      // The legacy lookups were started with the listing; absent tags stay "not found".
      String sig = d.tagSchemaTag() + ".sig";
      assertThatThrownBy(() -> p.fetchManifest("app", sig)).isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> p.fetchManifest("app", d.tagSchemaTag() + ".att")).isInstanceOf(NotFoundException.class);
      assertThat(counting.count("fetchManifest " + sig)).isEqualTo(1);

      // Every bundle manifest and blob was fetched once, ahead of the sequential reads.
      List<dev.attest.registry.DiscoveredAttestation> found = dev.attest.registry.Attestations.read(p, "app", d);
      assertThat(found).hasSize(4).allSatisfy(a -> assertThat(a.problem()).isEmpty());
      assertThat(counting.calls.entrySet().stream().filter(e -> e.getKey().startsWith("fetchBlob")))
          .hasSize(4).allSatisfy(e -> assertThat(e.getValue().get()).isEqualTo(1));
      assertThat(counting.count("fetchManifest " + sig)).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }
}
