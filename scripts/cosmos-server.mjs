#!/usr/bin/env node
// The local Cosmos DB server (@vercel/cosmosdb-server 1.0.1, plain HTTP) as the platform runs it, with two
// differences from the package's own command:
//
// - HTTP keep-alive. The package's command answers every request with `connection: close`, so each Cosmos DB
//   call from a service paid a new TCP connection on both sides; Cosmos DB in Azure keeps connections alive,
//   and so does this. Idle connections are kept longer than the clients keep theirs (aiohttp: 15 s), so a
//   client never reuses a connection the server is closing.
// - Patch filter predicates keep their case. The package lower-cases a `FROM c WHERE ...` predicate before
//   evaluating it, so a predicate naming a camelCase field or an upper-case value never matched (the product
//   service's stock holds for an order id with capitals were never confirmed or returned). Cosmos DB is
//   case-sensitive there; here the predicate is handed over as the complete query the package would have
//   built from it, which it evaluates as written.
// - Patch filter predicates cost the same whatever the container holds. The package runs a predicate as a
//   query over every document of the container, compiled once per distinct text (an LRU of 100) at hundreds
//   of times the cost of running it; a predicate naming an order id is new every time, and the reservations
//   container only grows. Here it runs over the patched document alone, its strings passed as parameters.
//
// SIGTERM and SIGINT close the server and exit 0 (which also lets `node --cpu-prof` write its profile).
//
//   node scripts/cosmos-server.mjs --host 127.0.0.1 --port 8081 [--idle-timeout-seconds 120]
import console from 'node:console';
import process from 'node:process';
import { setTimeout } from 'node:timers';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { createHttpServer } from '@vercel/cosmosdb-server';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8081' },
    'idle-timeout-seconds': { type: 'string', default: '120' },
  },
});
const port = Number.parseInt(values.port, 10);
const idleMs = Number.parseFloat(values['idle-timeout-seconds']) * 1000;
if (!Number.isInteger(port) || port < 0 || port > 65535 || !(idleMs > 0)) {
  console.error('usage: cosmos-server.mjs --host HOST --port PORT [--idle-timeout-seconds SECONDS]');
  process.exit(2);
}

const requirePackage = createRequire(import.meta.url);
const patchOperations = requirePackage('@vercel/cosmosdb-server/lib/handler/_patch-operations.js');
const { parsePartitionKey } = requirePackage('@vercel/cosmosdb-server/lib/utils/get-partition-from-header.js');
const packagePatch = patchOperations.patchOperation;
if (typeof packagePatch !== 'function' || typeof parsePartitionKey !== 'function') {
  throw new Error('@vercel/cosmosdb-server is not shaped as this launcher expects; check the pinned version');
}
const PREDICATE = /^\s*from\s+c\s+where\s+([\s\S]+)$/i;
const STRING_LITERAL = /'[^'\\]*'|"[^"\\]*"/g;

// A predicate's string literals as parameters. Predicates with a backslash are left as they are, since an
// escaped quote would fool the literal pattern.
function hoistStrings(predicate) {
  const parameters = [];
  if (predicate.includes('\\')) return { text: predicate, parameters };
  const text = predicate.replace(STRING_LITERAL, (literal) => {
    const name = `@predicateString${parameters.length}`;
    parameters.push({ name, value: literal.slice(1, -1) });
    return name;
  });
  return { text, parameters };
}

// The package evaluates the predicate as `SELECT * FROM c WHERE c.id = @id AND (<predicate>)` through
// `collection.documents.query`, passing @id only, over every document of the container. Here that query
// also gets the hoisted strings and sees only the document being patched (a reservation's confirm no
// longer costs more the more reservations the server holds). The package calls patchOperation through the
// module's exports, so replacing the export reaches every patch request; the call is synchronous, so the
// narrowed `query` is seen by this patch alone.
patchOperations.patchOperation = (collection, input) => {
  const where = typeof input.condition === 'string' ? PREDICATE.exec(input.condition) : null;
  if (!where) return packagePatch(collection, input);
  const { text, parameters } = hoistStrings(where[1].trim());
  const { documents } = collection;
  const query = documents.query;
  documents.query = (params, options) => {
    const everything = documents._data;
    const target = collection.document(input.id, parsePartitionKey(input.partitionKey, input.id));
    documents._data = new Map(target.read() ? [[input.id, target]] : []);
    try {
      return query.call(documents, { ...params, parameters: [...(params.parameters ?? []), ...parameters] }, options);
    } finally {
      documents._data = everything;
    }
  };
  try {
    return packagePatch(collection, { ...input, condition: `SELECT * FROM c WHERE c.id = @id AND (${text})` });
  } finally {
    delete documents.query;
  }
};

const server = createHttpServer({ keepAlive: true });
server.keepAliveTimeout = idleMs;
// Node cuts a connection whose request head takes longer than headersTimeout; it must exceed the idle time.
server.headersTimeout = idleMs + 1000;
server.listen(port, values.host, () => {
  const address = server.address();
  console.log(`Ready to accept HTTP connections at ${values.host}:${address.port} (keep-alive)`);
});

function stop(signal) {
  console.log(`${signal}: closing`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  // Requests in flight get a moment to finish; then the connections are cut.
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, 2000).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
