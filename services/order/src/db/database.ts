/**
 * The database as the repositories and migrations see it: a Kysely instance over the schema, and the two
 * things SQL Server and SQLite spell differently (row limits, unbounded text). Which driver is behind it is
 * the business of adapters/database.ts alone.
 */
import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'mssql';

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: DialectName;
  close(): Promise<void>;
}

/** The database or an open transaction on it. */
export type Executor = Kysely<Database>;

/**
 * `top(n)` on SQL Server, `limit n` elsewhere (SQL Server has no LIMIT clause). The count is written into the
 * SQL text, not bound: SQLite plans around a bound LIMIT's value and so prepares such a statement again on
 * every run (its "expmask"), which cost the relay's scan of the outbox a re-prepare per pass.
 */
export function firstRows<DB, TB extends keyof DB, O>(
  db: Db,
  query: SelectQueryBuilder<DB, TB, O>,
  rows: number,
): SelectQueryBuilder<DB, TB, O> {
  if (!Number.isSafeInteger(rows) || rows < 0) throw new RangeError(`a row limit must be a whole number: ${rows}`);
  return db.dialect === 'mssql' ? query.top(rows) : query.limit(sql.lit(rows));
}

/** A column type for text of any length: nvarchar(max) on SQL Server, text on SQLite. */
export function unboundedText(dialect: DialectName): RawBuilder<unknown> {
  return dialect === 'mssql' ? sql`nvarchar(max)` : sql`text`;
}
