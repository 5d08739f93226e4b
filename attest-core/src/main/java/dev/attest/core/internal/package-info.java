/** Implementation details of attest-core; not an API, and may change without notice. */
@NullMarked
package dev.attest.core.internal;

import org.jspecify.annotations.NullMarked;
