/**
 * Referrer-aware, gated, resumable promotion of one digest between registries and OCI layouts:
 * {@link dev.attest.promote.Promotion} plans the whole graph (manifests, blobs and referrers),
 * gates it on a policy, copies it byte-identical and attests the promotion.
 */
@NullMarked
package dev.attest.promote;

import org.jspecify.annotations.NullMarked;
