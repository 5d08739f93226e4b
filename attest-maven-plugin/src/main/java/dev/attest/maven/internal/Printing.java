package dev.attest.maven.internal;

import dev.attest.core.ImageRef;
import dev.attest.registry.AttachResult;
import dev.attest.registry.AttachedReferrer;
import org.apache.maven.plugin.logging.Log;

/** What the goals write to the build log. */
public final class Printing {
  private Printing() {}

  /** The referrers a goal attached, one line each. */
  public static void attached(Log log, ImageRef ref, AttachResult result) {
    log.info("Attached " + result.referrers().size() + " referrer(s) to " + ref.name() + "@" + ref.digest() + ":");
    for (AttachedReferrer r : result.referrers()) {
      log.info("  " + r.descriptor().digest() + " " + r.predicateType()
          + (r.subject().digest().equals(ref.digest()) ? "" : " -> platform manifest " + r.subject().digest()));
    }
  }

  /** Each line of {@code text} at info level, or at error level when {@code bad}. */
  public static void lines(Log log, String text, boolean bad) {
    for (String line : text.split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      if (bad) {
        log.error(line);
      } else {
        log.info(line);
      }
    }
  }
}
