/**
 * Database adapter: the one module that imports a database driver. Azure SQL (MssqlDialect over tedious +
 * tarn, signed in with a Microsoft Entra ID token from DefaultAzureCredential) in Azure; an SQLite file
 * (SqliteDialect over better-sqlite3) locally. Everything else writes portable Kysely against the `Db` of
 * db/database.ts.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  DummyDriver,
  Kysely,
  MssqlAdapter,
  MssqlDialect,
  MssqlIntrospector,
  MssqlQueryCompiler,
  SqliteDialect,
  type Dialect,
  type LogEvent,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';
import type * as TarnModule from 'tarn';
import type * as TediousModule from 'tedious';
import type { DatabaseConfig } from '../config.js';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { defaultAzureCredential } from './azure-credential.js';

/** Distinct statements kept prepared; the service runs a few dozen, `in (...)` lists vary the rest. */
const PREPARED_STATEMENTS = 500;

/**
 * The database as Kysely's SQLite driver sees it, with each SQL text prepared once: the driver prepares every
 * query it runs, and parsing and planning the same few dozen statements again was a measurable part of a
 * request (bench/cpu-per-request.ts). better-sqlite3 runs a statement to completion synchronously, so one
 * prepared statement is never used by two queries at once. The oldest statement goes when the cache is full.
 */
export function preparedOnce(database: SQLite.Database, capacity = PREPARED_STATEMENTS): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare(sql: string): SqliteStatement {
      const known = statements.get(sql);
      if (known !== undefined) return known;
      const statement = database.prepare(sql);
      if (statements.size >= capacity) statements.delete(statements.keys().next().value as string);
      statements.set(sql, statement);
      return statement;
    },
  };
}

function sqliteDialect(path: string): Dialect {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the database path from the service's settings
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SQLite(path);
  // WAL lets readers (status reads, /metrics) proceed while the relay or an order write holds the lock.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return new SqliteDialect({ database: preparedOnce(database) });
}

function mssqlDialect(config: Extract<DatabaseConfig, { dialect: 'mssql' }>): Dialect {
  // Loaded for SQL Server only: the driver and its pool are a tenth of the process's memory, and SQLite
  // (every local run) has no use for them.
  const require = createRequire(import.meta.url);
  const Tarn = require('tarn') as typeof TarnModule;
  const Tedious = require('tedious') as typeof TediousModule;
  const credential = defaultAzureCredential();
  return new MssqlDialect({
    tarn: { ...Tarn, options: { min: 0, max: config.poolMax } },
    tedious: {
      ...Tedious,
      connectionFactory: () =>
        new Tedious.Connection({
          server: config.server,
          authentication: { type: 'token-credential', options: { credential } },
          options: { database: config.database, port: config.port, encrypt: true, trustServerCertificate: false },
        }),
    },
  });
}

export function openDatabase(config: DatabaseConfig, log?: (event: LogEvent) => void): Db {
  const dialect = config.dialect === 'sqlite' ? sqliteDialect(config.path) : mssqlDialect(config);
  const kysely = new Kysely<Database>(log ? { dialect, log } : { dialect });
  return { kysely, dialect: config.dialect, close: () => kysely.destroy() };
}

/**
 * A Kysely that compiles SQL Server statements without a server (every query returns no rows). Tests use it
 * to prove each query and migration has an SQL Server form.
 */
export function mssqlCompileOnly(log: (event: LogEvent) => void): Db {
  const kysely = new Kysely<Database>({
    dialect: {
      createAdapter: () => new MssqlAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new MssqlIntrospector(db),
      createQueryCompiler: () => new MssqlQueryCompiler(),
    },
    log,
  });
  return { kysely, dialect: 'mssql', close: () => kysely.destroy() };
}
