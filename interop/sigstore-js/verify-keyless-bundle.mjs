// Verifies a certificate-based (keyless) Sigstore bundle with sigstore-js, offline, against a
// trusted_root.json, requiring the given OIDC issuer and exact SAN. Default thresholds: one tlog
// entry, one SCT, one timestamp (the tlog's integrated time). Used by attest's keyless ITs.
//
//   node verify-keyless-bundle.mjs <bundle.json> <trusted_root.json> <issuer> <san> [<artifact-file>]
//
// Exits 0 and prints "OK" when the bundle verifies, 1 and the reason when not, 2 on a usage error.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

const [bundlePath, rootPath, issuer, san, artifactPath] = process.argv.slice(2);
if (!bundlePath || !rootPath || !issuer || !san) {
  console.error('usage: node verify-keyless-bundle.mjs <bundle.json> <trusted_root.json> <issuer> <san> [<artifact-file>]');
  process.exit(2);
}

// sigstore-js matches the SAN as an unanchored regular expression: anchor an escaped literal.
const exact = (s) => '^' + s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$';

try {
  const trust = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(readFileSync(rootPath, 'utf8'))));
  const bundle = bundleFromJSON(JSON.parse(readFileSync(bundlePath, 'utf8')));
  const artifact = artifactPath ? readFileSync(artifactPath) : undefined;
  new Verifier(trust).verify(toSignedEntity(bundle, artifact), {
    subjectAlternativeName: exact(san),
    extensions: { issuer },
  });
  console.log('OK');
  process.exit(0);
} catch (e) {
  console.log(`FAILED: ${e && e.code ? e.code + ': ' : ''}${e && e.message ? e.message : e}`);
  process.exit(1);
}
