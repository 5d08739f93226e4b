// attest:verify failed the build on the denied purl, said why, wrote the report, and nothing
// reached 2.8.2.
try {
  def log = new File(basedir, 'build.log').text
  assert log.contains('DENIED by policy') : 'the build failed at attest:verify'
  assert log.contains('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1') : 'the reason names the purl'
  def report = new File(basedir, 'target/attest/verify-report.txt')
  assert report.isFile() && report.text.contains('DENY')
  assert !new File(basedir, 'target/attest/promotion-report.txt').exists()
  def config = new File(basedir, '.mvn/maven.config').text
  def target = (config =~ /-Dattest.to=(\S+)/)[0][1]
  def host = target.substring(0, target.indexOf('/'))
  def c = new URL("http://${host}/v2/acme/denied/tags/list").openConnection()
  assert c.responseCode == 404 : 'nothing was promoted'
  return true
} finally {
  evaluate(new File(itSources, 'stop-registries.groovy'))
}
