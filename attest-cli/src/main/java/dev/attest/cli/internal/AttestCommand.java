package dev.attest.cli.internal;

import dev.attest.cli.Main;
import dev.attest.core.AttestException;
import dev.attest.core.InvalidSignatureException;
import dev.attest.promote.PromotionDeniedException;
import dev.attest.promote.PromotionException;
import dev.attest.promote.TagConflictException;
import dev.attest.registry.RegistryException;
import dev.attest.verify.KeylessSigningException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code attest} command; the subcommands do the work. */
@Command(
    name = "attest",
    mixinStandardHelpOptions = true,
    versionProvider = AttestCommand.Version.class,
    description = "Attested delivery of OCI images: digests, referrers, signatures and policies.",
    subcommands = {
      DigestCommand.class,
      ResolveCommand.class,
      TreeCommand.class,
      SignCommand.class,
      AttestImageCommand.class,
      VerifyCommand.class,
      PromoteCommand.class,
      KeysCommand.class,
      SignBlobCommand.class,
      VerifyBlobCommand.class,
      PolicyCommand.class,
      RegistryCommand.class,
      AdmissionCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    },
    footerHeading = "%nExit codes:%n",
    footer = {
      "  0  success",
      "  1  policy deny, invalid signature or bundle",
      "  2  usage error (bad option, argument or input file)",
      "  3  registry or I/O failure",
      ""
    })
public final class AttestCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command; see 'attest --help'");
  }

  /** A command line writing to {@code out} and {@code err}, with attest's exit codes. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new AttestCommand());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExitCodeExceptionMapper(AttestCommand::exitCode);
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("attest " + commandLine.getCommandName() + ": " + oneLine(e));
          commandLine.getErr().flush();
          return exitCode(e);
        });
    cl.setParameterExceptionHandler(
        (e, args) -> {
          CommandLine c = e.getCommandLine();
          c.getErr().println("attest: " + e.getMessage());
          c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
          c.getErr().flush();
          return Main.USAGE;
        });
    return cl;
  }

  /**
   * What went wrong, on one line: the message (the class name where there is none, or for an
   * Error, which is never a message meant for a user), without line breaks.
   */
  public static String oneLine(Throwable e) {
    String message = e.getMessage();
    String text;
    if (e instanceof OutOfMemoryError) {
      text = "out of memory (" + message + "); give the JVM more with -Xmx";
    } else if (e instanceof StackOverflowError) {
      text = "an input is nested too deeply to read";
    } else if (e instanceof LinkageError) {
      text = "this attest build is broken, a class is missing or incompatible: " + message;
    } else if (e instanceof Error) {
      text = "internal failure (" + e.getClass().getSimpleName().replaceAll("Error$", "") + ")"
          + (message == null || message.isBlank() ? "" : ": " + message);
    } else {
      text = message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
    return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
  }

  /** Maps what a command threw to an exit code: see {@link Main}. */
  static int exitCode(Throwable e) {
    if (e instanceof CommandLine.ParameterException || e instanceof UsageException) {
      return Main.USAGE;
    }
    if (e instanceof InvalidSignatureException || e instanceof PromotionDeniedException
        || e instanceof TagConflictException) {
      return Main.INVALID;
    }
    if (e instanceof PromotionException) {
      // A graph the source serves that cannot be promoted, or a destination that does not hold
      // what was written: nothing the command line could fix.
      return Main.FAILURE;
    }
    if (e instanceof RegistryException || e instanceof IOException || e instanceof UncheckedIOException) {
      return Main.FAILURE;
    }
    if (e instanceof KeylessSigningException k && k.step() != KeylessSigningException.Step.SIGNING) {
      // The token source, Fulcio, Rekor or a TSA failed or refused, or answered with something the
      // trusted root does not vouch for: nothing was signed or written.
      return Main.FAILURE;
    }
    if (e instanceof AttestException || e instanceof IllegalArgumentException) {
      // Content the user handed us (a key, a policy, a reference) is wrong.
      return Main.USAGE;
    }
    return Main.FAILURE;
  }

  /** The version from the build. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = AttestCommand.class.getResourceAsStream("/dev/attest/cli/version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {"attest " + p.getProperty("version", "(unknown version)")};
    }
  }
}
