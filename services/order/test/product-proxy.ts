/**
 * A proxy in front of the real product service for the order tests: it records the calls the order service
 * makes, and with `withoutPrices` it answers reservations as a product service older than the priced
 * reservations does (the same answer with no `unitPrice` or `currency` on its items).
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProductProxy {
  readonly url: string;
  /** `METHOD /path` of every call forwarded so far, in the order they arrived. */
  readonly calls: string[];
  close(): Promise<void>;
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The reservation answer as an older product service gives it: its items without prices. */
function unpriced(body: Buffer): Buffer {
  const answer = JSON.parse(body.toString('utf8')) as { items: Array<Record<string, unknown>> };
  for (const item of answer.items) {
    delete item['unitPrice'];
    delete item['currency'];
  }
  return Buffer.from(JSON.stringify(answer));
}

export async function startProductProxy(
  target: string,
  options: { withoutPrices?: boolean } = {},
): Promise<ProductProxy> {
  const upstream = new URL(target);
  const calls: string[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    void (async () => {
      const method = incoming.method ?? 'GET';
      const path = incoming.url ?? '/';
      if (path !== '/health') calls.push(`${method} ${path}`);
      const body = await readAll(incoming);
      const headers = { ...incoming.headers, host: upstream.host };
      const answer = await new Promise<IncomingMessage>((resolve, reject) => {
        const forwarded = request({ hostname: upstream.hostname, port: upstream.port, method, path, headers }, resolve);
        forwarded.on('error', reject);
        forwarded.end(body);
      });
      let answerBody = await readAll(answer);
      const status = answer.statusCode ?? 502;
      const reservation = path.startsWith('/reservations');
      if (options.withoutPrices === true && reservation && status < 300) answerBody = unpriced(answerBody);
      const answerHeaders = { ...answer.headers, 'content-length': String(answerBody.length) };
      delete answerHeaders['transfer-encoding'];
      outgoing.writeHead(status, answerHeaders).end(answerBody);
    })().catch((error: unknown) => {
      outgoing.writeHead(502).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
