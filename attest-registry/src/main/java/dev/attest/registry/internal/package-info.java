/** Implementation details of attest-registry; not an API, and may change without notice. */
@NullMarked
package dev.attest.registry.internal;

import org.jspecify.annotations.NullMarked;
