// Starts the two registries an invoker project pushes to and promotes between, on free ports:
//   source  the CLI's embedded registry ('attest registry serve --port 0', the packaged jar)
//   target  CNCF distribution 2.8.2 (Debian's docker-registry), which has no referrers API
// and writes what the workflow passes with -D to the project's .mvn/maven.config: the image
// (-Dimage, which Jib reads), the promotion target (-Dattest.to) and the key (-Dattest.key),
// a key pair (attest.key, attest.pub) and a fresh Trivy report. Their process ids go to
// registries.pids for stop-registries.groovy; the outer Maven stops them on exit as well.
// A missing docker-registry fails the test: these tests never skip.
import java.nio.file.*
import java.util.concurrent.TimeUnit

def dir = basedir.toPath()
def imageName = basedir.name == 'denied' ? 'denied' : 'hello'
def java = Paths.get(System.getProperty('java.home'), 'bin', 'java').toString()
def cli = Paths.get(attestCliJar)
if (!Files.isRegularFile(cli)) {
  throw new IllegalStateException("the packaged CLI is missing at ${cli}: build attest-cli first")
}
def binary = Paths.get(System.getProperty('attest.docker-registry', '/usr/bin/docker-registry'))
if (!Files.isExecutable(binary)) {
  throw new IllegalStateException("registry 2.8.2 binary not found at ${binary}; install it with"
      + " 'sudo apt-get install docker-registry' (./scripts/test does)")
}
def work = Files.createDirectories(dir.resolve('target/registries'))
List<Process> procs = []
def stopAll = { for (Process p : procs) { p.destroy(); if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly() } }
Runtime.runtime.addShutdownHook(new Stopper(procs))

def waitFor = { String what, Closure<Boolean> ready ->
  long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60)
  while (!ready()) {
    if (System.nanoTime() > deadline) { stopAll(); throw new IllegalStateException("${what} did not start") }
    Thread.sleep(100)
  }
}

// The embedded registry: its first output line is the JSON with the port it chose.
def embeddedOut = work.resolve('embedded.out')
def embedded = new ProcessBuilder(java, '-jar', cli.toString(), 'registry', 'serve', '--port', '0', '--output', 'json')
    .redirectErrorStream(true).redirectOutput(embeddedOut.toFile()).start()
procs << embedded
def port = null
waitFor('attest registry serve') {
  if (!embedded.alive) { throw new IllegalStateException("attest registry serve exited: " + Files.readString(embeddedOut)) }
  def m = (Files.exists(embeddedOut) ? Files.readString(embeddedOut) : '') =~ /"port"\s*:\s*(\d+)/
  if (m.find()) { port = m.group(1) }
  port != null
}

// Registry 2.8.2 on a port the kernel picked a moment ago.
def free = new ServerSocket(0, 0, InetAddress.getByName('127.0.0.1'))
def targetPort = free.localPort
free.close()
def storage = Files.createDirectories(work.resolve('2.8.2/storage'))
def config = work.resolve('2.8.2/config.yml')
Files.writeString(config, """version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${storage}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${targetPort}
  secret: attest-it-secret
""")
def target = new ProcessBuilder(binary.toString(), 'serve', config.toString())
    .redirectErrorStream(true).redirectOutput(work.resolve('2.8.2/registry.log').toFile()).start()
procs << target
waitFor('docker-registry 2.8.2') {
  if (!target.alive) { throw new IllegalStateException("docker-registry exited: " + Files.readString(work.resolve('2.8.2/registry.log'))) }
  try {
    def c = new URL("http://127.0.0.1:${targetPort}/v2/").openConnection()
    c.connectTimeout = 500
    c.responseCode == 200
  } catch (IOException e) { false }
}
Files.writeString(dir.resolve('registries.pids'), procs.collect { it.pid() }.join('\n') + '\n')

// What the workflow passes with -D: the registries, and Jib's caches under target/.
Files.createDirectories(dir.resolve('.mvn'))
Files.writeString(dir.resolve('.mvn/maven.config'), [
    "-Dimage=127.0.0.1:${port}/acme/${imageName}",
    "-Dattest.to=127.0.0.1:${targetPort}/acme/${imageName}",
    '-Dattest.key=attest.key',
    '-Djib.disableUpdateChecks=true',
    "-Djib.applicationCache=${dir.resolve('target/jib-cache')}",
    "-Djib.baseImageCache=${dir.resolve('target/jib-base-cache')}",
].join('\n') + '\n')

// The release key (the workflow keeps it in a secret; keyless needs no key at all).
def keys = new ProcessBuilder(java, '-jar', cli.toString(), 'keys', 'generate', '--out-dir', dir.toString())
    .redirectErrorStream(true).start()
def keysOut = keys.inputStream.text
if (keys.waitFor() != 0) { stopAll(); throw new IllegalStateException("attest keys generate failed: " + keysOut) }

// A scan finished now (a workflow gets it from trivy image --format json).
def now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
Files.createDirectories(dir.resolve('target'))
Files.writeString(dir.resolve('target/trivy-report.json'),
    Files.readString(dir.resolve('trivy-report.template.json')).replace('@NOW@', now.toString()))
println "registries: embedded 127.0.0.1:${port}, 2.8.2 127.0.0.1:${targetPort}"
return true

/** Stops the registries when the outer Maven exits, whatever happened to the build. */
@groovy.transform.CompileStatic
class Stopper extends Thread {
  private final List<Process> procs
  Stopper(List<Process> procs) { this.procs = procs }
  @Override
  void run() { for (Process p : procs) { p.destroy() } }
}
