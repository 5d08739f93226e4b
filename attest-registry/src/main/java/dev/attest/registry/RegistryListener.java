package dev.attest.registry;

/**
 * Receives progress and trace events from a {@link RemoteRegistry}; attest itself never logs.
 * Called on the thread doing the work, so it must be quick and must not throw.
 */
@FunctionalInterface
public interface RegistryListener {
  /** A listener that ignores every event. */
  RegistryListener NONE = event -> {};

  /** Called on the thread doing the work; must be quick and must not throw. */
  void onEvent(RegistryEvent event);
}
