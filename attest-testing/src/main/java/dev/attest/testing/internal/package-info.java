/** The embedded registry's HTTP handlers and storage; not an API, and may change without notice. */
@NullMarked
package dev.attest.testing.internal;

import org.jspecify.annotations.NullMarked;
