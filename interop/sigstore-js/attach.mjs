// Attaches a Sigstore bundle to an image with @sigstore/oci's attachArtifactToImage, the code
// actions/attest uses, so that attest's reader can be tested against an independent writer.
//
//   node attach.mjs <host:port/repository> <sha256:image-digest> <bundle.json> <predicate-type>
//
// No credentials are passed (the registries in the tests have no auth). The annotations are the
// ones actions/attest adds. Prints the referrer descriptor as JSON; exits 1 on failure.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { attachArtifactToImage } = require('@sigstore/oci');

const [imageName, imageDigest, bundlePath, predicateType] = process.argv.slice(2);
if (!imageName || !imageDigest || !bundlePath || !predicateType) {
  console.error('usage: node attach.mjs <host:port/repository> <sha256:digest> <bundle.json> <predicate-type>');
  process.exit(2);
}

try {
  const artifact = readFileSync(bundlePath);
  const descriptor = await attachArtifactToImage({
    imageName,
    imageDigest,
    artifact,
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    annotations: {
      'dev.sigstore.bundle.content': 'dsse-envelope',
      'dev.sigstore.bundle.predicateType': predicateType,
    },
    credentials: undefined,
  });
  console.log(JSON.stringify(descriptor));
  process.exit(0);
} catch (e) {
  console.log(`FAILED: ${e && e.message ? e.message : e}${e && e.cause ? ' (' + e.cause + ')' : ''}`);
  process.exit(1);
}
