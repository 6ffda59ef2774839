/**
 * The HTTP server the Express app runs in, with the limits that protect it from slow clients: a request
 * head must arrive within `headersTimeoutMs` and the whole request within `requestTimeoutMs`, or Node
 * answers 408 and closes the connection. Body size is the app's `express.json` limit (413 problem+json).
 */
import { createServer, type RequestListener, type Server } from 'node:http';

export interface HttpTimeouts {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

export function createHttpServer(app: RequestListener, timeouts: HttpTimeouts): Server {
  return createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      // Node checks the two timeouts on this interval (30 s by default), which would let them overrun.
      connectionsCheckingInterval: Math.min(1000, timeouts.headersTimeoutMs),
    },
    app,
  );
}

/** Resolves once `server` listens on `host:port`, rejects when it cannot bind. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((listening, failed) => {
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      listening();
    });
  });
}
