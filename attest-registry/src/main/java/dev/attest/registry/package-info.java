/**
 * The attest registry API: an OCI Distribution 1.1 client with the referrers API and its
 * tag-schema fallback, OCI image layouts on disk, an embedded registry for tests and demos, and
 * attaching and reading attestations.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md">OCI
 *     distribution spec 1.1</a>
 */
@NullMarked
package dev.attest.registry;

import org.jspecify.annotations.NullMarked;
