package dev.attest.registry.testing;

import dev.attest.registry.Registry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/** Views of a {@link Registry} for tests that must prove a call is never made. */
public final class RegistryViews {
  private RegistryViews() {}

  /** {@code registry}, except that reading a blob fails the test with an {@link AssertionError}. */
  public static Registry noBlobReads(Registry registry) {
    return refusing(registry, "fetchBlob");
  }

  /** {@code registry}, except that reading a manifest fails the test with an {@link AssertionError}. */
  public static Registry noManifestReads(Registry registry) {
    return refusing(registry, "fetchManifest");
  }

  private static Registry refusing(Registry registry, String refused) {
    return (Registry) Proxy.newProxyInstance(Registry.class.getClassLoader(), new Class<?>[] {Registry.class},
        (proxy, method, args) -> {
          if (method.getName().equals(refused)) {
            throw new AssertionError("unexpected " + refused + ": " + args[1]);
          }
          try {
            return method.invoke(registry, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
