/** Implementation of attaching and reading attestations; not an API, and may change without notice. */
@NullMarked
package dev.attest.registry.internal.attest;

import org.jspecify.annotations.NullMarked;
