package dev.attest.cli.internal;

import dev.attest.testing.EmbeddedRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code attest registry serve}. */
@Command(
    name = "registry",
    header = "Run attest's embedded OCI registry.",
    mixinStandardHelpOptions = true,
    versionProvider = AttestCommand.Version.class,
    description = "Run attest's embedded OCI registry.",
    subcommands = RegistryCommand.Serve.class)
final class RegistryCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: serve");
  }

  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      versionProvider = AttestCommand.Version.class,
      description = {
        "Serve an OCI Distribution 1.1 registry on 127.0.0.1 (plain HTTP) until Ctrl-C.",
        "Blobs are kept in memory, or under --dir; tags and manifests live as long as the process."
      })
  static final class Serve implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin OutputOptions output;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "5000", description = "TCP port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port = 5000;

    @Option(names = "--dir", paramLabel = "DIR", description = "Keep blobs as files under DIR instead of in memory.")
    @Nullable Path dir;

    @Option(names = "--no-referrers-api", description = "Answer 404 on the referrers API, like registry 2.8.2, so clients use the fallback tag.")
    boolean noReferrersApi;

    @Override
    public Integer call() throws InterruptedException {
      if (port < 0 || port > 65535) {
        throw new UsageException("--port must be 0..65535, got " + port);
      }
      EmbeddedRegistry.Builder b = EmbeddedRegistry.builder().port(port).referrersApi(!noReferrersApi);
      if (dir != null) {
        b.storage(dir);
      } else {
        b.inMemory();
      }
      EmbeddedRegistry registry = b.build().start();
      CountDownLatch stopped = new CountDownLatch(1);
      Thread hook = new Thread(() -> {
        registry.close();
        stopped.countDown();
      }, "attest-registry-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      PrintWriter out = spec.commandLine().getOut();
      if (output.json()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", registry.url().toString());
        m.put("host", registry.host());
        m.put("port", registry.port());
        m.put("referrersApi", registry.referrersApi());
        m.put("storage", registry.storageDirectory().map(Path::toString).orElse(null));
        OutputOptions.printJson(out, m);
      } else {
        out.println("Serving an OCI registry at " + registry.url() + " (push to " + registry.host() + "/<repository>)");
        out.println("Referrers API: " + (registry.referrersApi() ? "on" : "off (fallback tags only)")
            + "; storage: " + registry.storageDirectory().map(Path::toString).orElse("memory"));
        out.println("Press Ctrl-C to stop.");
      }
      out.flush();
      try {
        stopped.await();
      } catch (InterruptedException e) {
        // Stopped by whoever runs us in-process (a test): stop serving and exit normally.
        registry.close();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // The hook is running already.
        }
      }
      return 0;
    }
  }
}
