/**
 * Runs the consumer tests and publishes their pacts only when every test passed, so that a failing or
 * interrupted run never leaves a half-written pact in contract-tests/pacts.
 *
 * With PACT_OUTPUT_DIR set (the drift check regenerating pacts into a scratch folder) the tests write there
 * and nothing is published. Otherwise they write into a staging folder beside contract-tests/pacts (same
 * file system, so each rename is atomic), and each staged pact replaces the committed one.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const workspace = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pactsDir = resolve(workspace, '../../pacts');
const tests = readdirSync(join(workspace, 'test'))
  .filter((name) => name.endsWith('.test.ts'))
  .sort()
  .map((name) => join('test', name));

const callerDir = process.env['PACT_OUTPUT_DIR'];
const outputDir = callerDir ?? mkdtempSync(join(resolve(pactsDir, '..'), '.pacts-staging-'));
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...tests], {
  cwd: workspace,
  stdio: 'inherit',
  env: { ...process.env, PACT_OUTPUT_DIR: outputDir },
});

if (callerDir === undefined) {
  if (run.status === 0) {
    for (const name of readdirSync(outputDir).filter((file) => file.endsWith('.json'))) {
      renameSync(join(outputDir, name), join(pactsDir, name));
    }
  } else {
    console.error(`consumer tests failed: contract-tests/pacts left as it was`);
  }
  rmSync(outputDir, { recursive: true, force: true });
}
process.exit(run.status ?? 1);
