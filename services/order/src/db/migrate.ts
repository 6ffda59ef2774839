/** Schema migrations, applied in name order by Kysely's Migrator (which locks against concurrent runs). */
import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { Db, DialectName } from './database.js';
import * as m0001 from './migrations/0001_orders.js';

interface MigrationModule {
  up(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
  down(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
}

export const MIGRATIONS: ReadonlyArray<readonly [string, MigrationModule]> = [['0001_orders', m0001]];

function bind(module: MigrationModule, dialect: DialectName): Migration {
  return { up: (db) => module.up(db, dialect), down: (db) => module.down(db, dialect) };
}

export async function migrateToLatest(db: Db): Promise<void> {
  const migrator = new Migrator({
    db: db.kysely,
    provider: {
      getMigrations: () =>
        Promise.resolve(Object.fromEntries(MIGRATIONS.map(([name, module]) => [name, bind(module, db.dialect)]))),
    },
  });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed`, { cause: error });
  }
}
