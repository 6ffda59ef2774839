// @vitest-environment node
/**
 * The container's web server setup, run for real: shop-entrypoint.sh writes config.js and the CSP origins,
 * the templates are rendered the way the nginx image renders them (envsubst of the variables that are set),
 * and a real nginx serves a small dist/. Needs `nginx` and `envsubst` on the PATH (Debian: nginx-light,
 * gettext-base); without them only the entrypoint tests run, except under CI (`CI` set), where the nginx tests
 * fail instead: CI installs both (.ci/run), so a missing one is a broken machine, not a pass.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { get, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const HERE = import.meta.dirname;
const ENTRYPOINT = path.resolve(HERE, '..', 'nginx', 'shop-entrypoint.sh');
const TEMPLATES = path.resolve(HERE, '..', 'nginx');

function available(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;
}

function runEntrypoint(env: Record<string, string>, configDir: string) {
  const result = spawnSync('sh', [ENTRYPOINT, 'env'], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', SHOP_CONFIG_DIR: configDir, ...env },
    encoding: 'utf8',
  });
  const exported = Object.fromEntries(
    result.stdout
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { status: result.status, stderr: result.stderr, exported };
}

describe('shop-entrypoint.sh', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'shop-entrypoint-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes config.js and exports the CSP origins before running its command', () => {
    const { status, exported } = runEntrypoint(
      { SHOP_PRODUCT_API: 'http://127.0.0.1:8001/', SHOP_ORDER_API: 'https://orders.example.com:8443/api' },
      dir,
    );
    expect(status).toBe(0);
    expect(readFileSync(path.join(dir, 'config.js'), 'utf8')).toBe(
      'window.__SHOP_CONFIG__ = {"productApi":"http://127.0.0.1:8001","orderApi":"https://orders.example.com:8443/api"};\n',
    );
    expect(exported['SHOP_CSP_CONNECT_SRC']).toBe('http://127.0.0.1:8001 https://orders.example.com:8443');
    expect(exported['SHOP_CSP_IMG_SRC']).toBe('http://127.0.0.1:8001');
    expect(exported['NGINX_PORT']).toBe('8080');
  });

  it('lists a shared origin once', () => {
    const { exported } = runEntrypoint(
      { SHOP_PRODUCT_API: 'https://api.example.com/product', SHOP_ORDER_API: 'https://api.example.com/order' },
      dir,
    );
    expect(exported['SHOP_CSP_CONNECT_SRC']).toBe('https://api.example.com');
  });

  it.each([
    ['ftp://files.example.com', 'must be an absolute http(s) URL'],
    ['http://a"b.example.com', 'characters not allowed'],
    ['http://$host', 'characters not allowed'],
    ['http://user@evil.example.com', 'plain host[:port]'],
  ])('refuses SHOP_PRODUCT_API=%s and starts nothing', (url, message) => {
    const { status, stderr, exported } = runEntrypoint(
      { SHOP_PRODUCT_API: url, SHOP_ORDER_API: 'http://127.0.0.1:8002' },
      dir,
    );
    expect(status).toBe(64);
    expect(stderr).toContain(`SHOP_PRODUCT_API`);
    expect(stderr).toContain(message);
    expect(exported).toEqual({});
  });

  it('names a missing variable', () => {
    const { status, stderr } = runEntrypoint({ SHOP_PRODUCT_API: 'http://127.0.0.1:8001' }, dir);
    expect(status).not.toBe(0);
    expect(stderr).toContain('SHOP_ORDER_API');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  });
}

function request(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    }).on('error', reject);
  });
}

// Like the browser journey (e2e/tests/test_browser_journey.py): skipped without the programs, failed under CI.
const MISSING = ['nginx', 'envsubst'].filter((program) => !available(program));
const UNDER_CI = Boolean(process.env['CI']);

describe.skipIf(MISSING.length > 0 && !UNDER_CI)('nginx with the rendered templates', () => {
  let work = '';
  let nginx: ChildProcess | undefined;
  let base: string;

  beforeAll(async () => {
    if (MISSING.length > 0) {
      throw new Error(
        `${MISSING.join(' and ')} not on the PATH; .ci/run installs nginx-light and gettext-base with apt-get`,
      );
    }
    work = mkdtempSync(path.join(tmpdir(), 'shop-nginx-'));
    // nginx workers drop to an unprivileged user when the test runs as root: they must be able to read here.
    chmodSync(work, 0o755);
    const port = await freePort();
    const { exported } = runEntrypoint(
      {
        SHOP_PRODUCT_API: 'http://127.0.0.1:18001',
        SHOP_ORDER_API: 'http://127.0.0.1:18002',
        NGINX_PORT: String(port),
      },
      path.join(work, 'config'),
    );
    const html = path.join(work, 'html');
    mkdirSync(path.join(html, 'assets'), { recursive: true });
    writeFileSync(
      path.join(html, 'index.html'),
      '<!doctype html><script src="/config.js"></script><div id="root"></div>',
    );
    writeFileSync(path.join(html, 'assets', 'index-abc123.js'), `console.log(${JSON.stringify('y'.repeat(4000))});`);
    mkdirSync(path.join(work, 'conf.d'));
    const variables = Object.keys(exported)
      .map((name) => `\${${name}}`)
      .join(' ');
    for (const template of readdirSync(TEMPLATES).filter((name) => name.endsWith('.template'))) {
      const rendered = execFileSync('envsubst', [variables], {
        input: readFileSync(path.join(TEMPLATES, template)),
        env: exported,
      });
      // The image's web root is /usr/share/nginx/html; here it is the temporary one.
      writeFileSync(
        path.join(work, 'conf.d', template.replace(/\.template$/, '')),
        rendered.toString().replace('/usr/share/nginx/html', html),
      );
    }
    writeFileSync(
      path.join(work, 'nginx.conf'),
      [
        'daemon off;',
        'worker_processes 1;',
        `pid ${work}/nginx.pid;`,
        'error_log stderr warn;',
        'events {}',
        'http {',
        '  include /etc/nginx/mime.types;',
        '  default_type application/octet-stream;',
        '  access_log off;',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `  ${name}_temp_path ${work}/${name};`),
        '  include conf.d/*.conf;',
        '}',
      ].join('\n'),
    );
    const check = spawnSync('nginx', ['-t', '-p', work, '-c', path.join(work, 'nginx.conf')], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    nginx = spawn('nginx', ['-p', work, '-c', path.join(work, 'nginx.conf')], { stdio: 'ignore' });
    base = `http://127.0.0.1:${port}`;
    for (let attempt = 0; attempt < 50; attempt += 1) {
      try {
        await request(`${base}/health`);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error('nginx did not start');
  });

  afterAll(async () => {
    const server = nginx;
    if (server?.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });

  it('answers /health', async () => {
    const response = await request(`${base}/health`);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'healthy' });
  });

  it('serves the written config.js, never cached', async () => {
    const response = await request(`${base}/config.js`);
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toContain('"productApi":"http://127.0.0.1:18001"');
  });

  it('falls back to index.html for app routes, revalidated every time, with the security headers', async () => {
    const response = await request(`${base}/orders/ord_123`);
    expect(response.status).toBe(200);
    expect(response.body).toContain('<div id="root">');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toContain(
      "connect-src 'self' http://127.0.0.1:18001 http://127.0.0.1:18002",
    );
    expect(response.headers['content-security-policy']).toContain("script-src 'self';");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it('caches hashed assets for a year and gzips them', async () => {
    const response = await request(`${base}/assets/index-abc123.js`, { 'accept-encoding': 'gzip' });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers['content-security-policy']).toBeDefined();
  });

  it('answers 404 for a missing asset rather than the app shell', async () => {
    expect((await request(`${base}/assets/missing-1.js`)).status).toBe(404);
    expect((await request(`${base}/favicon.ico`)).status).toBe(404);
  });
});
