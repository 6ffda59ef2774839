/**
 * The dependency rules of the source tree (README, Layout): SDKs and drivers only in adapters/, the HTTP API
 * imported by nobody but the composition root, adapters chosen only there.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const SRC = resolve(import.meta.dirname, '..');
const SDKS = /^(@azure\/|tedious$|tarn$|better-sqlite3$)/;
/**
 * Azure's OpenTelemetry packages are tracing's, not a cloud service's: the tracing setup alone takes them,
 * and the identity its Entra-signed export to Application Insights signs in with.
 */
const TRACING_FILE = 'observability/tracing.ts';
const AZURE_TRACING = /^@azure\/(monitor-opentelemetry|opentelemetry-instrumentation-azure-sdk|identity)$/;

/** Every non-test module under src/ with what it imports: packages by name, modules by path from src/. */
function modules(): Array<{ file: string; imports: string[] }> {
  const found: Array<{ file: string; imports: string[] }> = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '__tests__') walk(path);
      } else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        // Static imports (side-effect ones too), and dynamic ones (`await import('...')`, index.ts and tracing.ts load late). Each
        // pattern's one group always takes part in a match, so every match has a `spec`.
        const matches = [
          ...text.matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms),
          ...text.matchAll(/^import\s+'([^']+)'/gm),
          ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
        ];
        const imports = matches.flatMap(([, spec]) =>
          spec === undefined
            ? []
            : [spec.startsWith('.') ? relative(SRC, resolve(dirname(path), spec)).replace(/\.js$/, '') : spec],
        );
        found.push({ file: relative(SRC, path), imports });
      }
    }
  };
  walk(SRC);
  return found;
}

function offenders(where: (file: string) => boolean, forbidden: (spec: string) => boolean): string[] {
  return modules()
    .filter(({ file }) => where(file))
    .flatMap(({ file, imports }) => imports.filter(forbidden).map((spec) => `${file} imports ${spec}`));
}

describe('layers', () => {
  it('test_only_adapters_import_an_sdk_or_driver', () => {
    assert.deepEqual(
      offenders(
        (file) => !file.startsWith('adapters/') && file !== TRACING_FILE,
        (spec) => SDKS.test(spec),
      ),
      [],
    );
  });

  it('test_the_tracing_setup_takes_azures_tracing_packages_and_no_other_sdk', () => {
    assert.deepEqual(
      offenders(
        (file) => file === TRACING_FILE,
        (spec) => SDKS.test(spec) && !AZURE_TRACING.test(spec),
      ),
      [],
    );
  });

  it('test_only_the_composition_root_chooses_adapters', () => {
    const outside = (file: string): boolean => !file.startsWith('adapters/') && file !== 'composition.ts';
    assert.deepEqual(
      offenders(outside, (spec) => spec.startsWith('adapters/')),
      [],
    );
  });

  it('test_only_the_composition_root_imports_the_http_api', () => {
    const outside = (file: string): boolean => !file.startsWith('api/') && file !== 'composition.ts';
    assert.deepEqual(
      offenders(outside, (spec) => spec.startsWith('api/')),
      [],
    );
  });

  it('test_domain_imports_nothing_but_itself', () => {
    assert.deepEqual(
      offenders(
        (file) => file.startsWith('domain/'),
        (spec) => !spec.startsWith('domain/'),
      ),
      [],
    );
  });
});
