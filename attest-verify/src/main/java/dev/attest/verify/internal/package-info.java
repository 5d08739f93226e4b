/** Internals of attest-verify: policy parsing, canonical form, PEM handling. Not an API. */
@NullMarked
package dev.attest.verify.internal;

import org.jspecify.annotations.NullMarked;
