// @vitest-environment node
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { get, type IncomingHttpHeaders, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configScript, contentSecurityPolicy, createStaticServer } from '../scripts/serve.mjs';

const CONFIG = { productApi: 'http://127.0.0.1:18001', orderApi: 'https://orders.example.com:8443/api' };
const INDEX =
  '<!doctype html><html><head><script src="/config.js"></script></head><body><div id="root"></div></body></html>';

/** A GET that sends the path exactly as written (fetch would normalise `%2e%2e`) and keeps the body raw. */
function rawGet(
  pathname: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(`${base}${pathname}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
    }).on('error', reject);
  });
}

let root: string;
let dist: string;
let server: Server;
let base: string;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'frontend-serve-'));
  dist = path.join(root, 'dist');
  mkdirSync(path.join(dist, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'secret.txt'), 'SECRET-OUTSIDE-DIST');
  writeFileSync(path.join(dist, 'index.html'), INDEX);
  writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), `console.log(${JSON.stringify('x'.repeat(2000))});`);
  writeFileSync(path.join(dist, 'favicon.svg'), '<svg/>');
  writeFileSync(path.join(dist, 'config.js'), 'window.__SHOP_CONFIG__ = {"productApi": "stale"};');
  server = createStaticServer({ dist, ...CONFIG });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

describe('serve.mjs', () => {
  it('answers /health', async () => {
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'healthy' });
  });

  it('writes config.js from its settings, never cached, ignoring the file in dist', async () => {
    const response = await fetch(`${base}/config.js`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await response.text()).toBe(configScript(CONFIG));
    expect(configScript(CONFIG)).toBe(
      'window.__SHOP_CONFIG__ = {"productApi":"http://127.0.0.1:18001","orderApi":"https://orders.example.com:8443/api"};\n',
    );
  });

  it('falls back to index.html for app routes, revalidated every time', async () => {
    for (const route of ['/', '/checkout', '/orders/ord_1']) {
      const response = await fetch(`${base}${route}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toBe(INDEX);
    }
  });

  it('caches hashed assets for a year and gzips them', async () => {
    const response = await rawGet('/assets/index-abc123.js', { 'accept-encoding': 'gzip' });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(response.body).toString()).toContain('console.log');
  });

  it('answers 404 for a missing asset or file instead of the app', async () => {
    expect((await fetch(`${base}/assets/gone-123.js`)).status).toBe(404);
    expect((await fetch(`${base}/robots.txt`)).status).toBe(404);
  });

  it('does not serve files outside dist', async () => {
    for (const attempt of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e%5csecret.txt',
    ]) {
      const response = await rawGet(attempt);
      expect(response.body.toString()).not.toContain('SECRET-OUTSIDE-DIST');
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    const response = await fetch(`${base}/`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('sends the security headers with a CSP that allows only the configured API origins', async () => {
    const response = await fetch(`${base}/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:18001 https://orders.example.com:8443");
    expect(csp).toContain("img-src 'self' data: http://127.0.0.1:18001");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('names the flag at fault for an API address that is not a URL', () => {
    expect(() => contentSecurityPolicy({ productApi: 'not a url', orderApi: CONFIG.orderApi })).toThrow(
      '--product-api must be an absolute http(s) URL',
    );
  });
});

describe('serve.mjs as a process', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it('logs the port it listens on and stops on SIGTERM', async () => {
    const script = path.resolve(import.meta.dirname, '..', 'scripts', 'serve.mjs');
    child = spawn(
      process.execPath,
      [script, '--port', '0', '--dist', dist, '--product-api', CONFIG.productApi, '--order-api', CONFIG.orderApi],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const running = child;
    const line = await new Promise<string>((resolve, reject) => {
      running.stdout?.once('data', (chunk: Buffer) => {
        resolve(chunk.toString());
      });
      running.once('exit', (code) => {
        reject(new Error(`exited with ${code}`));
      });
    });
    const listening = JSON.parse(line) as { event: string; port: number };
    expect(listening.event).toBe('listening');
    expect((await fetch(`http://127.0.0.1:${listening.port}/health`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses to start without a build, saying what to run', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'frontend-empty-'));
    const script = path.resolve(import.meta.dirname, '..', 'scripts', 'serve.mjs');
    const failed = spawn(process.execPath, [script, '--port', '0', '--dist', empty], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    failed.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => failed.once('exit', resolve));
    rmSync(empty, { recursive: true, force: true });
    expect(code).toBe(2);
    expect(stderr).toContain('run `npm run build` first');
  });
});
