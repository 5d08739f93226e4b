package dev.attest.cli.internal;

import dev.attest.core.Digest;
import dev.attest.registry.AttachResult;
import dev.attest.registry.AttachedReferrer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Prints what {@code attest sign} and {@code attest attest} attached. */
final class Attached {
  private Attached() {}

  static void print(PrintWriter out, boolean json, String name, Digest digest, AttachResult result) {
    if (json) {
      List<Object> items = new ArrayList<>();
      for (AttachedReferrer r : result.referrers()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("referrer", r.descriptor().digest().toString());
        m.put("subject", r.subject().digest().toString());
        m.put("predicateType", r.predicateType());
        m.put("artifactType", r.descriptor().artifactType());
        items.add(m);
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("image", name + "@" + digest);
      m.put("referrers", items);
      OutputOptions.printJson(out, m);
    } else {
      out.println("Attached " + result.referrers().size() + " referrer(s) to " + name + "@" + digest + ":");
      for (AttachedReferrer r : result.referrers()) {
        out.println("  " + r.descriptor().digest() + " " + r.predicateType() + " -> "
            + (r.subject().digest().equals(digest) ? "" : "platform manifest ") + r.subject().digest());
      }
    }
    out.flush();
  }
}
