package dev.attest.cli.internal;

import dev.attest.registry.Registry;
import dev.attest.verify.AdmissionHandler;
import dev.attest.verify.AdmissionServer;
import dev.attest.verify.Policy;
import dev.attest.verify.PolicyVerifier;
import dev.attest.verify.VerificationCache;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code attest admission serve}. */
@Command(
    name = "admission",
    header = "Run a Kubernetes admission webhook that verifies images.",
    mixinStandardHelpOptions = true,
    versionProvider = AttestCommand.Version.class,
    description = "A Kubernetes validating admission webhook that verifies every image of a Pod.",
    subcommands = {AdmissionCommand.Serve.class, AdmissionManifestsCommand.class})
final class AdmissionCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: serve or manifests");
  }

  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      versionProvider = AttestCommand.Version.class,
      description = {
        "Serve an admission webhook over HTTPS until Ctrl-C (or SIGTERM, which finishes the reviews in"
            + " flight): POST /validate and POST /mutate take an AdmissionReview v1 and answer it; GET /healthz"
            + " (alive), GET /readyz (taking reviews) and GET /metrics (Prometheus). One JSON line per decision"
            + " goes to stdout. The TLS files are read again when they change.",
        "Every image of a Pod (or of a workload's Pod template) is verified against the policy;"
            + " the review is allowed only if all are. It fails closed: an unreachable registry, a"
            + " timeout (each review is denied after 8 s) or a malformed review is a denial with its reason."
      })
  static final class Serve implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin OutputOptions output;
    @Mixin RegistryOptions registryOptions;

    @Option(names = "--policy", required = true, paramLabel = "FILE", description = "The policy YAML file.")
    Path policyFile;

    @Option(names = "--tls-cert", required = true, paramLabel = "PEM", description = "The server's certificate chain, PEM, leaf first.")
    Path tlsCert;

    @Option(names = "--tls-key", required = true, paramLabel = "PEM", description = "The server's private key, PEM (PKCS#8 or EC).")
    Path tlsKey;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8443", description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port = 8443;

    @Option(names = "--bind", paramLabel = "HOST", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind = "0.0.0.0";

    @Option(names = "--decision-log", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Print one JSON line per decision on stdout (uid, images, decision, reasons, ms); on by default.")
    boolean decisionLog = true;

    @Override
    public Integer call() throws IOException, InterruptedException {
      if (port < 0 || port > 65535) {
        throw new UsageException("--port must be 0..65535, got " + port);
      }
      for (Path p : List.of(tlsCert, tlsKey)) {
        if (!Files.isRegularFile(p)) {
          throw new UsageException("TLS file not found: " + p);
        }
      }
      Policy policy = Inputs.policy(policyFile);
      List<Registry> opened = new ArrayList<>();
      VerificationCache cache = VerificationCache.defaults();
      PolicyVerifier verifier = PolicyVerifier.builder(policy).cache(cache).registries(host -> {
        Registry r = registryOptions.open(host);
        synchronized (opened) {
          opened.add(r);
        }
        return r;
      }).build();
      PrintWriter out = spec.commandLine().getOut();
      AdmissionTelemetry telemetry = new AdmissionTelemetry(out, cache);
      AdmissionHandler handler = AdmissionHandler.builder(telemetry.observing(verifier))
          .listener(decisionLog ? telemetry::review : r -> telemetry.review(r, false)).build();
      AdmissionServer server;
      try {
        server = AdmissionServer.builder(handler).tls(tlsCert, tlsKey).bind(bind, port).metrics(telemetry::scrape).start();
      } catch (IOException | RuntimeException e) {
        handler.close();
        verifier.close();
        throw e;
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runnable stop = () -> {
        server.close();
        handler.close();
        verifier.close();
        synchronized (opened) {
          opened.forEach(Registry::close);
        }
      };
      Thread hook = new Thread(() -> {
        stop.run();
        stopped.countDown();
      }, "attest-admission-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      if (output.json()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", "https://" + bind + ":" + server.port());
        m.put("port", server.port());
        m.put("policy", policy.name());
        m.put("policyHash", policy.hash().toString());
        OutputOptions.printJson(out, m);
      } else {
        out.println("Serving admission webhook at https://" + bind + ":" + server.port()
            + " (POST /validate, POST /mutate, GET /healthz, GET /readyz, GET /metrics)");
        out.println("Policy '" + policy.name() + "' (" + policy.hash() + ")");
        out.println("Press Ctrl-C to stop.");
      }
      out.flush();
      try {
        stopped.await();
      } catch (InterruptedException e) {
        // Stopped by whoever runs us in-process (a test): stop serving and return normally.
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
          stop.run();
        } catch (IllegalStateException shuttingDown) {
          // The hook is running already.
        }
      }
      return 0;
    }
  }
}
