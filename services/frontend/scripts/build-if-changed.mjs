#!/usr/bin/env node
/**
 * Builds the app (vite build) only when its inputs changed since the last build, so that `make up` does not
 * pay a full production build on every start. The inputs are hashed (sources, public files, index.html, the
 * Vite and TypeScript configs, package.json); the hash of the last good build is kept in dist/.
 *
 *   node scripts/build-if-changed.mjs [--force]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const INPUTS = ['src', 'public', 'index.html', 'vite.config.ts', 'tsconfig.json', 'tsconfig.app.json', 'package.json'];
export const STAMP = '.inputs.sha256';

/**
 * @param {string} entry
 * @returns {Generator<string>}
 */
function* files(entry) {
  if (!existsSync(entry)) return;
  if (statSync(entry).isDirectory()) {
    for (const child of readdirSync(entry).sort()) yield* files(path.join(entry, child));
  } else {
    yield entry;
  }
}

/**
 * One hash over every input file's relative path and bytes.
 * @param {string} [appDir]
 */
export function inputsHash(appDir = APP_DIR) {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for (const file of files(path.join(appDir, input))) {
      hash.update(path.relative(appDir, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  return hash.digest('hex');
}

/**
 * True when dist/ holds a build of exactly these inputs.
 * @param {string} [appDir]
 * @param {string} [hash]
 */
export function isUpToDate(appDir = APP_DIR, hash = inputsHash(appDir)) {
  const stamp = path.join(appDir, 'dist', STAMP);
  return (
    existsSync(path.join(appDir, 'dist', 'index.html')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash
  );
}

function main() {
  const hash = inputsHash();
  if (!process.argv.includes('--force') && isUpToDate(APP_DIR, hash)) {
    console.log('storefront build is up to date (inputs unchanged since the last build)');
    return;
  }
  const vite = path.join(APP_DIR, 'node_modules', 'vite', 'bin', 'vite.js');
  const build = spawnSync(process.execPath, [vite, 'build'], { cwd: APP_DIR, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  writeFileSync(path.join(APP_DIR, 'dist', STAMP), hash);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
