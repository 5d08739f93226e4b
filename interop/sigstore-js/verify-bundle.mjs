// Verifies a key-signed Sigstore bundle with sigstore-js, offline: the public key is registered
// under the bundle's hint and the log, CT and timestamp thresholds are 0 (attest's bundles carry
// no log entries). Used by attest's SigstoreJsInteropIT as an independent verifier.
//
//   node verify-bundle.mjs <bundle.json> <public-key.pem|.der> <hint> [<artifact-file>]
//
// The artifact file is needed for message-signature bundles. Exits 0 and prints "OK" when the
// bundle verifies, 1 and the reason when it does not, 2 on a usage error.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';

const require = createRequire(import.meta.url);
const { bundleFromJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

const PKIX_ECDSA_P256_SHA_256 = 5;

const [bundlePath, keyPath, hint, artifactPath] = process.argv.slice(2);
if (!bundlePath || !keyPath || !hint) {
  console.error('usage: node verify-bundle.mjs <bundle.json> <public-key.pem|.der> <hint> [<artifact-file>]');
  process.exit(2);
}

try {
  const keyBytes = readFileSync(keyPath);
  const isPem = keyBytes.subarray(0, 10).toString('latin1').startsWith('-----');
  const spki = createPublicKey(isPem ? { key: keyBytes, format: 'pem' } : { key: keyBytes, format: 'der', type: 'spki' })
    .export({ format: 'der', type: 'spki' });
  const trust = toTrustMaterial(
    { tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] },
    { [hint]: { rawBytes: spki, keyDetails: PKIX_ECDSA_P256_SHA_256 } },
  );
  const bundle = bundleFromJSON(JSON.parse(readFileSync(bundlePath, 'utf8')));
  const artifact = artifactPath ? readFileSync(artifactPath) : undefined;
  const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
  verifier.verify(toSignedEntity(bundle, artifact));
  console.log('OK');
  process.exit(0);
} catch (e) {
  console.log(`FAILED: ${e && e.code ? e.code + ': ' : ''}${e && e.message ? e.message : e}`);
  process.exit(1);
}
