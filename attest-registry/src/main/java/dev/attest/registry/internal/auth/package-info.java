/** Registry authentication: challenges, token fetching and caching, Docker credential stores. */
@NullMarked
package dev.attest.registry.internal.auth;

import org.jspecify.annotations.NullMarked;
