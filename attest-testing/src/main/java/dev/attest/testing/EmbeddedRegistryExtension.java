package dev.attest.testing;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that runs an {@link EmbeddedRegistry} for a test class or for each test.
 *
 * <p>Registered on a {@code static} field it starts one registry before all tests of the class and
 * stops it after them; on an instance field it starts a fresh registry for every test.
 *
 * <pre>{@code
 * class MyTest {
 *   @RegisterExtension
 *   static final EmbeddedRegistryExtension REGISTRY =
 *       EmbeddedRegistryExtension.create().referrersApi(false).temporaryDisk();
 *
 *   @Test
 *   void pulls() {
 *     ImageManifest image = TestImages.pushImage(REGISTRY.registry(), "app", "v1");
 *     // ... use REGISTRY.host() + "/app:v1"
 *   }
 * }
 * }</pre>
 *
 * <p><b>Dependency:</b> attest-testing brings {@code org.junit.jupiter:junit-jupiter-api}; it is a
 * test-support artifact, declared in {@code test} scope by its users, so production code never
 * carries JUnit.
 */
public final class EmbeddedRegistryExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  private final boolean referrersApi;
  private final boolean disk;
  private @Nullable EmbeddedRegistry registry;
  private boolean perClass;

  private EmbeddedRegistryExtension(boolean referrersApi, boolean disk) {
    this.referrersApi = referrersApi;
    this.disk = disk;
  }

  /** An extension for an in-memory registry with the referrers API on. */
  public static EmbeddedRegistryExtension create() {
    return new EmbeddedRegistryExtension(true, false);
  }

  /** A copy that serves the referrers API, or (false) answers 404 like registry 2.8.2. */
  public EmbeddedRegistryExtension referrersApi(boolean enabled) {
    return new EmbeddedRegistryExtension(enabled, disk);
  }

  /** A copy that stores blobs in a temporary directory, deleted when the registry stops. */
  public EmbeddedRegistryExtension temporaryDisk() {
    return new EmbeddedRegistryExtension(referrersApi, true);
  }

  /** A copy that stores blobs in memory (the default). */
  public EmbeddedRegistryExtension inMemory() {
    return new EmbeddedRegistryExtension(referrersApi, false);
  }

  /**
   * The running registry.
   *
   * @throws IllegalStateException outside a test's lifecycle
   */
  public synchronized EmbeddedRegistry registry() {
    if (registry == null) {
      throw new IllegalStateException("the embedded registry runs only while tests run");
    }
    return registry;
  }

  /** Shorthand for {@code registry().host()}: {@code 127.0.0.1:PORT}. */
  public String host() {
    return registry().host();
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    perClass = true;
    registry = start();
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    stop();
  }

  @Override
  public synchronized void beforeEach(ExtensionContext context) {
    if (!perClass) {
      stop();
      registry = start();
    }
  }

  @Override
  public synchronized void afterEach(ExtensionContext context) {
    if (!perClass) {
      stop();
    }
  }

  private EmbeddedRegistry start() {
    EmbeddedRegistry.Builder b = EmbeddedRegistry.builder().referrersApi(referrersApi);
    if (disk) {
      b.temporaryDisk();
    }
    return b.build().start();
  }

  private void stop() {
    if (registry != null) {
      registry.close();
      registry = null;
    }
  }
}
