/** The embedded registry's HTTP handlers and storage; not an API, and may change without notice. */
@NullMarked
package dev.attest.registry.internal.server;

import org.jspecify.annotations.NullMarked;
