#!/usr/bin/env node
/**
 * Serves the built app (dist/) the way the container's Nginx does, for running the platform without Docker:
 * a /config.js written from the flags, SPA fallback to index.html, long caching for hashed assets and none
 * for index.html and config.js, gzip, the same security headers (CSP included) and /health.
 *
 *   node scripts/serve.mjs --port 8080 --product-api http://127.0.0.1:8001 --order-api http://127.0.0.1:8002
 *
 * Flags fall back to SHOP_PORT, SHOP_HOST, SHOP_PRODUCT_API, SHOP_ORDER_API, SHOP_DIST_DIR.
 */
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt']);
const IMMUTABLE = 'public, max-age=31536000, immutable';
const NO_CACHE = 'no-cache';
const NO_STORE = 'no-store';

/** @param {string} event @param {Record<string, unknown>} fields */
function log(event, fields = {}) {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'info', logger: 'frontend-serve', event, ...fields })}\n`,
  );
}

/** @param {string} value @param {string} flag @returns {string} origin of an http(s) URL */
export function originOf(value, flag) {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${flag} must be an absolute http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${flag} must be an http(s) URL, got "${value}"`);
  }
  return url.origin;
}

/**
 * The Content-Security-Policy for the app: scripts, styles and fonts only from this origin (config.js is a
 * file, never inline), API calls and product images to the configured API origins only.
 * @param {{productApi: string, orderApi: string}} config
 */
export function contentSecurityPolicy(config) {
  const product = originOf(config.productApi, '--product-api');
  const order = originOf(config.orderApi, '--order-api');
  const connect = [...new Set(["'self'", product, order])].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: ${product}`,
    `connect-src ${connect}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** @param {{productApi: string, orderApi: string}} config */
export function configScript(config) {
  return `window.__SHOP_CONFIG__ = ${JSON.stringify({ productApi: config.productApi, orderApi: config.orderApi })};\n`;
}

/** @param {{productApi: string, orderApi: string}} config @returns {Record<string, string>} */
export function securityHeaders(config) {
  return {
    'Content-Security-Policy': contentSecurityPolicy(config),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}

/**
 * @param {{dist: string, productApi: string, orderApi: string}} options
 * @returns {import('node:http').Server}
 */
export function createStaticServer(options) {
  const dist = path.resolve(options.dist);
  const headers = securityHeaders(options);
  const config = Buffer.from(configScript(options));

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {number} status
   * @param {Record<string, string>} extra
   * @param {Buffer | string} body
   */
  function sendBody(req, res, status, extra, body) {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { ...headers, ...extra, 'Content-Length': String(bytes.length) });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {string} file
   * @param {number} size
   * @param {string} cacheControl
   */
  function sendFile(req, res, file, size, cacheControl) {
    const ext = path.extname(file).toLowerCase();
    const type = TYPES[/** @type {keyof typeof TYPES} */ (ext)] ?? 'application/octet-stream';
    const gzip = COMPRESSIBLE.has(ext) && size > 256 && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    /** @type {Record<string, string>} */
    const extra = { 'Content-Type': type, 'Cache-Control': cacheControl, Vary: 'Accept-Encoding' };
    if (gzip) extra['Content-Encoding'] = 'gzip';
    else extra['Content-Length'] = String(size);
    res.writeHead(200, { ...headers, ...extra });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    (gzip ? stream.pipe(createGzip()) : stream).pipe(res);
  }

  /** @param {string} file @returns {Promise<number | undefined>} size of a regular file */
  async function fileSize(file) {
    try {
      const info = await stat(file);
      return info.isFile() ? info.size : undefined;
    } catch {
      return undefined;
    }
  }

  return createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendBody(
          req,
          res,
          405,
          { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' },
          'method not allowed\n',
        );
        return;
      }
      let pathname;
      try {
        pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      } catch {
        sendBody(req, res, 400, { 'Content-Type': 'text/plain; charset=utf-8' }, 'bad request path\n');
        return;
      }
      if (pathname === '/health') {
        sendBody(
          req,
          res,
          200,
          { 'Content-Type': 'application/json', 'Cache-Control': NO_STORE },
          '{"status":"healthy"}\n',
        );
        return;
      }
      if (pathname === '/config.js') {
        sendBody(
          req,
          res,
          200,
          { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': NO_STORE },
          config,
        );
        return;
      }
      const file = path.join(dist, pathname);
      if (file !== dist && !file.startsWith(dist + path.sep)) {
        sendBody(req, res, 404, { 'Content-Type': 'text/plain; charset=utf-8' }, 'not found\n');
        return;
      }
      const size = pathname.endsWith('/') ? undefined : await fileSize(file);
      if (size !== undefined) {
        const hashed = pathname.startsWith('/assets/');
        sendFile(req, res, file, size, hashed ? IMMUTABLE : NO_CACHE);
        return;
      }
      // A missing file under /assets/ or with an extension is a real 404; anything else is an app route.
      if (pathname.startsWith('/assets/') || path.extname(pathname) !== '') {
        sendBody(
          req,
          res,
          404,
          { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': NO_CACHE },
          'not found\n',
        );
        return;
      }
      const index = path.join(dist, 'index.html');
      const indexSize = await fileSize(index);
      if (indexSize === undefined) {
        sendBody(req, res, 503, { 'Content-Type': 'text/plain; charset=utf-8' }, 'the app is not built\n');
        return;
      }
      sendFile(req, res, index, indexSize, NO_CACHE);
    } catch (error) {
      log('request failed', { level: 'error', error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) {
        sendBody(req, res, 500, { 'Content-Type': 'text/plain; charset=utf-8' }, 'internal error\n');
      } else res.destroy();
    }
  });
}

function main() {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env['SHOP_PORT'] ?? '8080' },
      host: { type: 'string', default: process.env['SHOP_HOST'] ?? '127.0.0.1' },
      'product-api': { type: 'string', default: process.env['SHOP_PRODUCT_API'] ?? 'http://127.0.0.1:8001' },
      'order-api': { type: 'string', default: process.env['SHOP_ORDER_API'] ?? 'http://127.0.0.1:8002' },
      dist: { type: 'string', default: process.env['SHOP_DIST_DIR'] ?? path.join(here, '..', 'dist') },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be 0-65535, got "${values.port}"`);
  }
  originOf(values['product-api'], '--product-api');
  originOf(values['order-api'], '--order-api');
  if (!existsSync(path.join(values.dist, 'index.html'))) {
    throw new Error(`${path.join(values.dist, 'index.html')} does not exist: run \`npm run build\` first`);
  }
  const server = createStaticServer({
    dist: values.dist,
    productApi: values['product-api'],
    orderApi: values['order-api'],
  });
  server.listen(port, values.host, () => {
    const address = server.address();
    log('listening', {
      host: values.host,
      port: typeof address === 'object' && address !== null ? address.port : port,
      productApi: values['product-api'],
      orderApi: values['order-api'],
    });
  });
  const stop = (/** @type {string} */ signal) => {
    log('stopping', { signal });
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`serve: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}
