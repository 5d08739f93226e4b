// The image was attested, signed, admitted, promoted by digest to 2.8.2 and admitted there.
import java.nio.file.*
try {
  def log = new File(basedir, 'build.log').text
  def digest = new File(basedir, 'target/jib-image.digest').text.trim()
  assert digest ==~ /sha256:[0-9a-f]{64}/
  def report = new File(basedir, 'target/attest/verify-report.txt')
  assert report.isFile() : 'attest:verify writes its report under target/attest'
  assert report.text.contains('ALLOW')
  assert !report.text.contains('DENY')
  def config = new File(basedir, '.mvn/maven.config').text
  def target = (config =~ /-Dattest.to=(\S+)/)[0][1]
  def host = target.substring(0, target.indexOf('/'))
  // The digest (not a tag) is in 2.8.2, with the tag and cosign's fallback index of its referrers.
  def tags = new URL("http://${host}/v2/acme/hello/tags/list").text
  assert tags.contains('"1.0"') : tags
  assert tags.contains('sha256-' + digest.substring(7)) : 'the referrers fallback index: ' + tags
  def c = new URL("http://${host}/v2/acme/hello/manifests/${digest}").openConnection()
  c.setRequestProperty('Accept', 'application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json')
  assert c.responseCode == 200
  assert c.getHeaderField('Docker-Content-Digest') == digest
  assert log.contains('Promoted ') : 'promotion reported'
  assert log.contains('0 writes') : 'the re-run of a completed promotion writes nothing'
  def kyverno = new File(basedir, 'target/attest/hello-release.kyverno.yaml')
  def pc = new File(basedir, 'target/attest/hello-release.policy-controller.yaml')
  assert kyverno.isFile() && kyverno.text.contains('ImageValidatingPolicy')
  assert pc.isFile() && pc.text.contains('ClusterImagePolicy')
  def plan = new File(basedir, 'target/attest/plan.txt')
  assert plan.isFile() && plan.text.contains(digest) && plan.text.contains('policy:       hello-release')
  assert plan.text.contains('Maven offline')
  return true
} finally {
  evaluate(new File(itSources, 'stop-registries.groovy'))
}
