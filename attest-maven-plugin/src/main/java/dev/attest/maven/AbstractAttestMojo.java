package dev.attest.maven;

import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.ImageRef;
import dev.attest.maven.internal.ImageTarget;
import dev.attest.maven.internal.RegistryAccess;
import dev.attest.registry.Registry;
import dev.attest.verify.Policy;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;
import org.jspecify.annotations.Nullable;

/**
 * What every attest goal shares: which image (Jib's output files or a parameter), how to reach
 * its registry (Maven {@code settings.xml} servers as Jib reads them, then the Docker config), and
 * the skip flags.
 *
 * <p>The image is a digest, never a tag: it is read from Jib's {@code target/jib-image.json}
 * ({@code image} and {@code imageDigest}) and {@code target/jib-image.digest} when they exist,
 * else from the {@code image} parameter, which may carry {@code @sha256:...} itself or take the
 * {@code digest} parameter.
 *
 * @see <a href="https://github.com/GoogleContainerTools/jib/tree/master/jib-maven-plugin#jib-image-json">Jib's image JSON</a>
 * @see <a href="https://maven.apache.org/guides/mini/guide-encryption.html">settings.xml password encryption</a>
 */
public abstract class AbstractAttestMojo extends AbstractMojo {

  /** Skips every attest goal. */
  @Parameter(property = "attest.skip", defaultValue = "false")
  protected boolean skip;

  /**
   * The image: {@code registry/repository}, optionally with {@code :tag} or {@code @sha256:...}.
   * Defaults to what Jib wrote in {@code jib-image.json}.
   */
  @Parameter(property = "attest.image")
  protected @Nullable String image;

  /** The image digest ({@code sha256:...}), when neither {@code image} nor Jib's files carry it. */
  @Parameter(property = "attest.digest")
  protected @Nullable String digest;

  /** Jib's image JSON ({@code image}, {@code imageDigest}). */
  @Parameter(property = "attest.jibImageJson", defaultValue = "${project.build.directory}/jib-image.json")
  protected File jibImageJson;

  /** Jib's digest file. */
  @Parameter(property = "attest.jibImageDigest", defaultValue = "${project.build.directory}/jib-image.digest")
  protected File jibImageDigest;

  /**
   * Plain HTTP to registries other than loopback ones (which always use plain HTTP), as Jib's
   * {@code allowInsecureRegistries}. Never in production.
   */
  @Parameter(property = "attest.allowInsecureRegistries", defaultValue = "false")
  protected boolean allowInsecureRegistries;

  /** Retries of a failed idempotent registry request, 0 to 20. */
  @Parameter(property = "attest.retries", defaultValue = "4")
  protected int retries;

  /** Where reports and exports are written. */
  @Parameter(property = "attest.outputDirectory", defaultValue = "${project.build.directory}/attest")
  protected File outputDirectory;

  @Parameter(defaultValue = "${session}", readonly = true, required = true)
  protected MavenSession session;

  @Component
  protected SettingsDecrypter settingsDecrypter;

  @Override
  public final void execute() throws MojoExecutionException, MojoFailureException {
    if (skip || skipGoal()) {
      getLog().info("attest:" + goal() + " skipped");
      return;
    }
    try {
      run();
    } catch (AttestException e) {
      throw new MojoExecutionException("attest:" + goal() + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new MojoExecutionException("attest:" + goal() + ": " + e, e);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new MojoExecutionException("attest:" + goal() + ": " + e.getMessage(), e);
    }
  }

  /** The goal's name, for messages. */
  abstract String goal();

  /** The goal's own skip flag. */
  abstract boolean skipGoal();

  abstract void run() throws MojoExecutionException, MojoFailureException, AttestException, IOException;

  /** The image, by digest. */
  ImageTarget target() throws MojoExecutionException {
    return ImageTarget.resolve(image, digest, jibImageJson.toPath(), jibImageDigest.toPath());
  }

  /** The image by digest, resolving a tag given as the image at the registry if need be. */
  ImageRef targetByDigest(Registry registry) throws MojoExecutionException, AttestException {
    ImageTarget t = target();
    Digest d = t.digest();
    if (d == null) {
      ImageRef ref = t.ref();
      d = registry.resolve(ref.repository(), ref.reference()).digest();
      getLog().warn("attest:" + goal() + ": " + ref + " names no digest; resolved its tag to " + d
          + ". Give the digest (Jib's jib-image.digest, or -Dattest.digest) to be sure of the image.");
    }
    return ImageRef.of(t.ref().registry(), t.ref().repository(), d);
  }

  /** Opens clients of registries with this build's credentials; closing it closes them. */
  RegistryAccess registries() throws MojoExecutionException {
    return new RegistryAccess(servers(), allowInsecureRegistries, retries, session.isOffline());
  }

  /** The {@code settings.xml} servers with a username and password, decrypted, by id. */
  private Map<String, String[]> servers() throws MojoExecutionException {
    Map<String, String[]> byId = new LinkedHashMap<>();
    List<Server> servers = new ArrayList<>(session.getSettings().getServers());
    if (servers.isEmpty()) {
      return byId;
    }
    SettingsDecryptionResult r = settingsDecrypter.decrypt(new DefaultSettingsDecryptionRequest().setServers(servers));
    if (!r.getProblems().isEmpty()) {
      throw new MojoExecutionException("settings.xml: cannot decrypt server passwords: " + r.getProblems());
    }
    for (Server s : r.getServers()) {
      if (s.getUsername() != null && s.getPassword() != null) {
        byId.put(s.getId(), new String[] {s.getUsername(), s.getPassword()});
      }
    }
    return byId;
  }

  /** Loads the policy file; a missing or invalid one fails the build with its reason. */
  static Policy loadPolicy(@Nullable File file) throws MojoExecutionException {
    if (file == null) {
      throw new MojoExecutionException("no policy: set <policy> or -Dattest.policy=FILE");
    }
    if (!file.isFile()) {
      throw new MojoExecutionException("policy not found: " + file);
    }
    try {
      return Policy.load(file.toPath());
    } catch (AttestException e) {
      throw new MojoExecutionException("policy " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes {@code text} to {@code name} in the output directory and returns the file. */
  Path write(String name, byte[] bytes) throws IOException {
    Path dir = outputDirectory.toPath();
    Files.createDirectories(dir);
    Path f = dir.resolve(name);
    Files.write(f, bytes);
    return f;
  }
}
