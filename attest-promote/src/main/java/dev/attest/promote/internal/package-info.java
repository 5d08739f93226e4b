/** Planning and execution of promotions; not an API. */
@NullMarked
package dev.attest.promote.internal;

import org.jspecify.annotations.NullMarked;
