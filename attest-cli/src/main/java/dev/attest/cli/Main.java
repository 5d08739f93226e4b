package dev.attest.cli;

import dev.attest.cli.internal.AttestCommand;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The entry point of the {@code attest} command line.
 *
 * <p>Exit codes: {@value #OK} success, {@value #INVALID} a policy deny or an invalid signature,
 * {@value #USAGE} a usage error (unknown option, missing argument, unreadable input such as a
 * malformed key file), {@value #FAILURE} a registry or I/O failure.
 */
public final class Main {
  /** Success. */
  public static final int OK = 0;

  /** A policy denied, or a signature or bundle is not valid. */
  public static final int INVALID = 1;

  /** The command line or an input given on it is wrong. */
  public static final int USAGE = 2;

  /** A registry or I/O failure: nothing was decided. */
  public static final int FAILURE = 3;

  private Main() {}

  /** Runs {@code attest} with {@code args} and exits the JVM with its exit code. */
  public static void main(String[] args) {
    // The CycloneDX schema validator logs through SLF4J; without a provider SLF4J warns on stderr.
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "ERROR");
    }
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    int code = run(out, err, args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs {@code attest} with {@code args}, writing to {@code out} and {@code err}; returns the exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    try {
      return AttestCommand.commandLine(out, err).execute(args);
    } catch (Throwable e) { // NOPMD: no Error or stack trace reaches a user; the JVM would print one
      // picocli hands only Exceptions to the execution handler; an Error (a missing class, no
      // memory, a stack overflow) would reach the JVM, which prints a stack trace.
      err.println("attest: " + AttestCommand.oneLine(e));
      err.flush();
      return FAILURE;
    }
  }
}
