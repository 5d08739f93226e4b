/** Files of an OCI image layout: verified atomic blob writes and the locked {@code index.json}. */
@NullMarked
package dev.attest.registry.internal.layout;

import org.jspecify.annotations.NullMarked;
