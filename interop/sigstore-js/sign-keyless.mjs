// Signs with sigstore-js (@sigstore/sign) against the services of a signing_config v0.2 JSON, with
// the given OIDC identity token: a Fulcio certificate, the Rekor log (v1 or v2) and the timestamp
// authority the config selects. Used by attest's interop ITs to check that attest verifies what
// sigstore-js signs.
//
//   node sign-keyless.mjs <signing_config.json> <token-file> <artifact-file> <out-bundle.json> [<dsse-payload-type>]
//
// Without a payload type the artifact is signed as a message signature; with one, as the payload
// of a DSSE envelope. Exits 0 and prints "OK", 1 and the reason when signing fails, 2 on usage.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { bundleToJSON } = require('@sigstore/bundle');
const { SigningConfig } = require('@sigstore/protobuf-specs');
const { bundleBuilderFromSigningConfig } = require('@sigstore/sign');

const [configPath, tokenPath, artifactPath, outPath, payloadType] = process.argv.slice(2);
if (!configPath || !tokenPath || !artifactPath || !outPath) {
  console.error('usage: node sign-keyless.mjs <signing_config.json> <token-file> <artifact-file> <out-bundle.json> [<dsse-payload-type>]');
  process.exit(2);
}

try {
  const signingConfig = SigningConfig.fromJSON(JSON.parse(readFileSync(configPath, 'utf8')));
  const token = readFileSync(tokenPath, 'utf8').trim();
  const builder = bundleBuilderFromSigningConfig({
    signingConfig,
    identityProvider: { getToken: async () => token },
    bundleType: payloadType ? 'dsseEnvelope' : 'messageSignature',
    fetchOptions: { timeout: 20000, retry: 0 },
  });
  const artifact = { data: readFileSync(artifactPath) };
  if (payloadType) {
    artifact.type = payloadType;
  }
  const bundle = await builder.create(artifact);
  writeFileSync(outPath, JSON.stringify(bundleToJSON(bundle)));
  console.log('OK');
  process.exit(0);
} catch (e) {
  console.log(`FAILED: ${e && e.code ? e.code + ': ' : ''}${e && e.message ? e.message : e}${e && e.cause ? ' (' + e.cause.message + ')' : ''}`);
  process.exit(1);
}
