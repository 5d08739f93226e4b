package dev.attest.registry.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.attest.core.Json;
import dev.attest.registry.internal.auth.Scope;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jspecify.annotations.Nullable;

/**
 * A token server for tests, speaking the distribution token protocol: {@code GET
 * /token?service=..&scope=..} (HTTP Basic optional) and the OAuth2 {@code POST /token} with
 * {@code grant_type=password} or {@code refresh_token}. It grants every scope asked for, to
 * anonymous callers too unless {@link Builder#requireLogin()}.
 *
 * <p>Tokens are JWTs signed with ES256 by a fresh self-signed certificate, sent in the {@code
 * x5c} header, with the claims registry 2.8.2 checks: {@code iss}, {@code sub}, {@code aud} (the
 * service, a string), {@code exp}, {@code nbf}, {@code iat}, {@code jti} and {@code access}.
 * Configure the registry with {@link #registryAuthConfig(Path)}.
 *
 * <pre>{@code
 * try (TokenServer tokens = TokenServer.builder().user("alice", "pw").start()) {
 *   String yaml = tokens.registryAuthConfig(tmp.resolve("root.pem"));
 * }
 * }</pre>
 *
 * @see <a href="https://distribution.github.io/distribution/spec/auth/jwt/">Token authentication
 *     implementation (JWT)</a>
 */
public final class TokenServer implements AutoCloseable {

  public static final String DEFAULT_SERVICE = "attest-test-registry";
  public static final String DEFAULT_ISSUER = "attest-test-token-issuer";

  private final String service;
  private final String issuer;
  private final Map<String, String> users;
  private final Map<String, String> refreshTokens;
  private final boolean requireLogin;
  private final Duration lifetime;
  private final Clock clock;
  private final KeyPair keys;
  private final X509Certificate certificate;
  private final HttpServer http;
  private final AtomicInteger requests = new AtomicInteger();
  private final List<List<String>> granted = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Settings of a {@link TokenServer}. */
  public static final class Builder {
    private String service = DEFAULT_SERVICE;
    private String issuer = DEFAULT_ISSUER;
    private final Map<String, String> users = new LinkedHashMap<>();
    private final Map<String, String> refreshTokens = new LinkedHashMap<>();
    private boolean requireLogin;
    private Duration lifetime = Duration.ofMinutes(5);
    private Clock clock = Clock.systemUTC();

    public Builder service(String service) {
      this.service = service;
      return this;
    }

    public Builder issuer(String issuer) {
      this.issuer = issuer;
      return this;
    }

    /** Accepts {@code user}/{@code password} by Basic auth and by the password grant. */
    public Builder user(String user, String password) {
      users.put(user, password);
      return this;
    }

    /** Accepts {@code refreshToken} (an identity token) for {@code user} by the refresh grant. */
    public Builder refreshToken(String refreshToken, String user) {
      refreshTokens.put(refreshToken, user);
      return this;
    }

    /** Refuses anonymous token requests with 401. */
    public Builder requireLogin() {
      this.requireLogin = true;
      return this;
    }

    public Builder lifetime(Duration lifetime) {
      this.lifetime = lifetime;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Generates the key and certificate and starts serving on a free 127.0.0.1 port. */
    public TokenServer start() throws IOException {
      return new TokenServer(this);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  private TokenServer(Builder b) throws IOException {
    this.service = b.service;
    this.issuer = b.issuer;
    this.users = Map.copyOf(b.users);
    this.refreshTokens = Map.copyOf(b.refreshTokens);
    this.requireLogin = b.requireLogin;
    this.lifetime = b.lifetime;
    this.clock = b.clock;
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      this.keys = g.generateKeyPair();
      this.certificate = selfSigned(keys, issuer, clock.instant());
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IOException("cannot create the token signing certificate", e);
    }
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/token", this::handle);
    http.start();
  }

  /** The realm to configure in the registry: {@code http://127.0.0.1:<port>/token}. */
  public URI realm() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/token");
  }

  public String service() {
    return service;
  }

  public String issuer() {
    return issuer;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** How many token requests were answered (any outcome). */
  public int requestCount() {
    return requests.get();
  }

  /** The scopes of every token issued, in order, each as asked for ({@code type:name:actions}). */
  public List<List<String>> grantedScopes() {
    return List.copyOf(granted);
  }

  /** The signing certificate as PEM, for the registry's {@code rootcertbundle}. */
  public String rootCertificatePem() {
    try {
      return "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes the root certificate bundle to {@code bundle} and answers the {@code auth:} section of
   * a distribution registry configuration that trusts this server.
   */
  public String registryAuthConfig(Path bundle) throws IOException {
    Files.writeString(bundle, rootCertificatePem());
    return "auth:\n"
        + "  token:\n"
        + "    realm: " + realm() + "\n"
        + "    service: " + service + "\n"
        + "    issuer: " + issuer + "\n"
        + "    rootcertbundle: " + bundle.toAbsolutePath() + "\n";
  }

  /** A signed token for {@code subject} granting {@code scopes} ({@code type:name:actions}). */
  public String issue(String subject, List<String> scopes) {
    Instant now = clock.instant();
    ObjectNode header = Json.MAPPER.createObjectNode();
    header.put("typ", "JWT");
    header.put("alg", "ES256");
    ArrayNode x5c = header.putArray("x5c");
    try {
      x5c.add(Base64.getEncoder().encodeToString(certificate.getEncoded()));
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
    ObjectNode claims = Json.MAPPER.createObjectNode();
    claims.put("iss", issuer);
    claims.put("sub", subject);
    claims.put("aud", service); // registry 2.8.2 reads aud as a single string
    claims.put("exp", now.plus(lifetime).getEpochSecond());
    claims.put("nbf", now.minusSeconds(1).getEpochSecond());
    claims.put("iat", now.getEpochSecond());
    claims.put("jti", UUID.randomUUID().toString());
    ArrayNode access = claims.putArray("access");
    for (Scope s : Scope.merge(scopes.stream().map(Scope::parse).toList())) {
      ObjectNode a = access.addObject();
      a.put("type", s.type());
      a.put("name", s.name());
      ArrayNode actions = a.putArray("actions");
      s.actions().forEach(actions::add);
    }
    try {
      String signingInput = b64url(Json.MAPPER.writeValueAsBytes(header)) + "." + b64url(Json.MAPPER.writeValueAsBytes(claims));
      // JWS ES256 wants the raw 64-byte R||S, which the P1363 format gives directly.
      Signature sig = Signature.getInstance("SHA256withECDSAinP1363Format");
      sig.initSign(keys.getPrivate());
      sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + b64url(sig.sign());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    try (ex) {
      Map<String, List<String>> params = new LinkedHashMap<>();
      parseForm(ex.getRequestURI().getRawQuery(), params);
      String subject;
      if (ex.getRequestMethod().equals("POST")) {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
          body = in.readNBytes(64 * 1024);
        }
        parseForm(new String(body, StandardCharsets.UTF_8), params);
        String grant = first(params, "grant_type");
        if ("refresh_token".equals(grant)) {
          subject = refreshTokens.get(String.valueOf(first(params, "refresh_token")));
        } else if ("password".equals(grant)) {
          String user = first(params, "username");
          subject = user != null && String.valueOf(first(params, "password")).equals(users.get(user)) ? user : null;
        } else {
          send(ex, 400, "{\"error\":\"unsupported_grant_type\"}");
          return;
        }
        if (subject == null) {
          send(ex, 401, "{\"error\":\"invalid_grant\"}");
          return;
        }
      } else if (ex.getRequestMethod().equals("GET")) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null) {
          if (requireLogin) {
            ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"token\"");
            send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
            return;
          }
          subject = "";
        } else {
          subject = basicUser(auth);
          if (subject == null) {
            send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
            return;
          }
        }
      } else {
        send(ex, 405, "{}");
        return;
      }
      String askedService = first(params, "service");
      if (askedService != null && !askedService.equals(service)) {
        send(ex, 400, "{\"error\":\"unknown service\"}");
        return;
      }
      List<String> scopes = new ArrayList<>();
      for (String s : params.getOrDefault("scope", List.of())) {
        for (String part : s.split(" ")) {
          if (!part.isEmpty()) {
            scopes.add(part);
          }
        }
      }
      String token;
      try {
        token = issue(subject, scopes);
      } catch (IllegalArgumentException e) {
        send(ex, 400, "{\"error\":\"invalid_scope\"}");
        return;
      }
      granted.add(List.copyOf(scopes));
      ObjectNode answer = Json.MAPPER.createObjectNode();
      answer.put("token", token);
      answer.put("access_token", token);
      answer.put("expires_in", lifetime.toSeconds());
      answer.put("issued_at", clock.instant().toString());
      send(ex, 200, Json.MAPPER.writeValueAsString(answer));
    }
  }

  private @Nullable String basicUser(String header) {
    if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    String pair;
    try {
      pair = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
    int colon = pair.indexOf(':');
    if (colon < 0) {
      return null;
    }
    String user = pair.substring(0, colon);
    String password = pair.substring(colon + 1);
    if (password.equals(users.get(user))) {
      return user;
    }
    String viaRefresh = refreshTokens.get(password);
    return viaRefresh;
  }

  private static void parseForm(@Nullable String raw, Map<String, List<String>> into) {
    if (raw == null || raw.isEmpty()) {
      return;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      into.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
  }

  private static @Nullable String first(Map<String, List<String>> params, String key) {
    List<String> v = params.get(key);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static void send(HttpExchange ex, int code, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String b64url(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static X509Certificate selfSigned(KeyPair keys, String issuer, Instant now)
      throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException, IOException {
    X500Name name = new X500Name("CN=" + issuer.replaceAll("[,+=\"\\\\<>;]", "_"));
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            name,
            new BigInteger(64, new java.security.SecureRandom()).add(BigInteger.ONE),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(30))),
            name,
            keys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign));
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
