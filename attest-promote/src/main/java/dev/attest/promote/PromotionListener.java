package dev.attest.promote;

/**
 * Receives {@link PromotionEvent}s, for example to draw a progress bar. Blob events come from the
 * transfer threads, concurrently: implementations must be thread-safe, quick, and must not throw.
 */
@FunctionalInterface
public interface PromotionListener {
  /** A listener that ignores every event. */
  PromotionListener NONE = event -> {};

  /** Called on the thread doing the work; must be quick and must not throw. */
  void onEvent(PromotionEvent event);
}
