import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { inputsHash, isUpToDate, STAMP } from '../scripts/build-if-changed.mjs';

const APP_DIR = path.resolve(__dirname, '..');

describe('build-if-changed', () => {
  let app: string;

  beforeEach(() => {
    app = mkdtempSync(path.join(tmpdir(), 'storefront-'));
    for (const input of ['src', 'public', 'index.html', 'vite.config.ts', 'package.json']) {
      cpSync(path.join(APP_DIR, input), path.join(app, input), { recursive: true });
    }
    mkdirSync(path.join(app, 'dist'));
    writeFileSync(path.join(app, 'dist', 'index.html'), '<!doctype html>');
    writeFileSync(path.join(app, 'dist', STAMP), inputsHash(app));
  });

  afterEach(() => {
    rmSync(app, { recursive: true, force: true });
  });

  it('skips the build when no input changed', () => {
    expect(isUpToDate(app)).toBe(true);
  });

  it('builds again when a source file changes', () => {
    writeFileSync(path.join(app, 'src', 'main.tsx'), '// changed\n', { flag: 'a' });
    expect(isUpToDate(app)).toBe(false);
  });

  it('builds again when a source file is added', () => {
    writeFileSync(path.join(app, 'src', 'new-page.tsx'), 'export {};\n');
    expect(isUpToDate(app)).toBe(false);
  });

  it('builds again when the last build left no app behind', () => {
    rmSync(path.join(app, 'dist', 'index.html'));
    expect(isUpToDate(app)).toBe(false);
  });
});
