package dev.attest.cli.internal;

import dev.attest.core.Digest;
import dev.attest.promote.PromotionEvent;
import dev.attest.promote.PromotionListener;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shows a promotion's progress: a redrawn bar when {@code terminal} (a console is attached), else
 * one plain line per finished blob, manifest and tag, so logs stay readable.
 */
final class PromotionProgress implements PromotionListener {
  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final boolean terminal;
  private final Map<Digest, long[]> blobs = new LinkedHashMap<>();
  private boolean drawn;

  PromotionProgress(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  @Override
  public synchronized void onEvent(PromotionEvent event) {
    if (event instanceof PromotionEvent.BlobStarted s) {
      blobs.put(s.blob().digest(), new long[] {0, s.blob().size()});
      draw();
    } else if (event instanceof PromotionEvent.BlobProgress p) {
      blobs.put(p.digest(), new long[] {p.transferred(), p.total()});
      draw();
    } else if (event instanceof PromotionEvent.BlobDone d) {
      blobs.put(d.blob().digest(), new long[] {d.blob().size(), d.blob().size()});
      if (terminal) {
        draw();
      } else {
        line("blob " + d.blob().digest().shortForm() + " " + d.transfer().name().toLowerCase(java.util.Locale.ROOT)
            + " (" + d.blob().size() + " bytes)");
      }
    } else if (event instanceof PromotionEvent.ManifestWritten m) {
      line("manifest " + m.manifest().digest().shortForm() + " written");
    } else if (event instanceof PromotionEvent.TagWritten t) {
      line("tag " + t.tag() + " -> " + t.digest().shortForm());
    }
  }

  private void line(String text) {
    if (terminal) {
      if (drawn) {
        err.print("\r\033[K");
        drawn = false;
      }
      err.println("  " + text);
      draw();
    } else {
      err.println("  " + text);
    }
    err.flush();
  }

  private void draw() {
    if (!terminal || blobs.isEmpty()) {
      return;
    }
    long done = 0;
    long total = 0;
    int finished = 0;
    for (long[] b : blobs.values()) {
      done += b[0];
      total += b[1];
      if (b[0] >= b[1]) {
        finished++;
      }
    }
    int filled = total == 0 ? WIDTH : (int) Math.min(WIDTH, done * WIDTH / total);
    err.print("\r\033[K  [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + finished + "/" + blobs.size()
        + " blobs, " + done + "/" + total + " bytes");
    err.flush();
    drawn = true;
  }

  /** Ends the bar's line. */
  synchronized void finish() {
    if (drawn) {
      err.println();
      err.flush();
      drawn = false;
    }
  }
}
