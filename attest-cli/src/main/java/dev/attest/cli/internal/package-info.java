/** Internals of attest-cli: the picocli commands and the demo. Not an API. */
@NullMarked
package dev.attest.cli.internal;

import org.jspecify.annotations.NullMarked;
