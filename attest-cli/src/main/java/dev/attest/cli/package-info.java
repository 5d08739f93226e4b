/**
 * The {@code attest} command line: {@link dev.attest.cli.Main} runs it. Every command is a thin
 * shell over the public APIs of attest-core, attest-registry and attest-verify; see {@code
 * attest-cli/CLI.md}.
 */
@NullMarked
package dev.attest.cli;

import org.jspecify.annotations.NullMarked;
