#!/usr/bin/env node
/**
 * Runs a build only when its inputs changed since its last successful run, so that starting the platform
 * does not pay a full build (or a compiler's own up-to-date check, seconds of CPU) on every start. The
 * inputs (files and folders, walked in name order) are hashed with their paths; the hash of the last good
 * run is kept in the stamp file, which belongs inside the build's output so that cleaning it rebuilds.
 *
 *   node scripts/run-if-changed.mjs --stamp DIST/.inputs.sha256 --output DIST/index.js \
 *     --input SRC --input CONFIG [--cwd DIR] [--force] -- COMMAND ARGS...
 *
 * Exit status: the command's when it ran, 0 when up to date, 2 for bad arguments. It prints nothing of its
 * own when up to date: the platform's components log JSON lines only. Runs started at the same time (tests
 * launching several platforms) take turns through a lock beside the stamp, so one builds and the others
 * find the build done.
 */
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

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
 * One hash over every input file's path and bytes.
 * @param {string[]} inputs
 */
export function inputsHash(inputs) {
  const hash = createHash('sha256');
  for (const input of inputs) {
    for (const file of files(input)) hash.update(file).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/**
 * True when the stamp records exactly this hash and every output exists.
 * @param {string} stamp
 * @param {string[]} outputs
 * @param {string} hash
 */
export function isUpToDate(stamp, outputs, hash) {
  return outputs.every((output) => existsSync(output)) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash;
}

const LOCK_WAIT_MS = 300_000;
const STALE_LOCK_MS = 600_000;

/**
 * True when the lock's holder (the pid it wrote) is gone: a build killed midway (a platform giving up on a
 * component that was still compiling) must not leave the next start waiting for the lock to go stale.
 * @param {string} lock
 */
function holderIsGone(lock) {
  let pid;
  try {
    pid = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
  } catch {
    return false; // just taken, its pid not written yet
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'ESRCH';
  }
}

/**
 * True when the lock is there and its holder died or it is older than the longest build. The holder may let
 * go of it at any moment in between: a lock gone by then is not abandoned, just free.
 * @param {string} lock
 */
function isAbandoned(lock) {
  try {
    return holderIsGone(lock) || Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS;
  } catch {
    return false;
  }
}

/**
 * Runs `work` holding the lock directory `lock` (mkdir is atomic); waits for another holder, and takes over
 * a lock whose holder died, or one older than the longest build.
 * @template T
 * @param {string} lock
 * @param {() => T} work
 * @returns {T}
 */
function withLock(lock, work) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      if (isAbandoned(lock)) rmSync(lock, { force: true, recursive: true });
      if (Date.now() > deadline) {
        console.error(`run-if-changed: ${lock} is still held after ${LOCK_WAIT_MS / 1000} s`);
        process.exit(2);
      }
      Atomics.wait(pause, 0, 0, 100);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { force: true, recursive: true });
  }
}

function main() {
  const separator = process.argv.indexOf('--');
  const command = separator === -1 ? [] : process.argv.slice(separator + 1);
  const { values } = parseArgs({
    args: process.argv.slice(2, separator === -1 ? undefined : separator),
    options: {
      stamp: { type: 'string' },
      input: { type: 'string', multiple: true },
      output: { type: 'string', multiple: true },
      cwd: { type: 'string' },
      force: { type: 'boolean' },
    },
  });
  if (values.stamp === undefined || !values.input?.length || command.length === 0) {
    console.error('run-if-changed: give --stamp FILE, at least one --input PATH, and -- COMMAND');
    process.exit(2);
  }
  const { stamp, input, output = [], cwd, force } = values;
  const status = withLock(`${stamp}.lock`, () => {
    const hash = inputsHash(input);
    if (!force && isUpToDate(stamp, output, hash)) return 0;
    const [program, ...args] = command;
    const run = spawnSync(program, args, { cwd, stdio: 'inherit' });
    if (run.error !== undefined) {
      console.error(`run-if-changed: cannot run ${program}: ${run.error.message}`);
      return 2;
    }
    if (run.status !== 0) return run.status ?? 1;
    writeFileSync(stamp, hash);
    return 0;
  });
  process.exit(status);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
