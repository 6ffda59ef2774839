/** Row limits (db/database.ts firstRows): written into the SQL text, never bound, on both dialects. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mssqlCompileOnly } from '../../adapters/database.js';
import { firstRows } from '../database.js';
import { tempDatabase, type TempDatabase } from '../../../test/helpers.js';

describe('first rows', () => {
  let database: TempDatabase;

  before(async () => {
    database = await tempDatabase();
    for (const id of ['m-1', 'm-2', 'm-3']) {
      await database.db.kysely
        .insertInto('inbox')
        .values({
          message_id: id,
          message_type: 'PaymentSucceeded',
          order_id: null,
          outcome: 'applied',
          processed_at: id,
        })
        .execute();
    }
  });

  after(async () => {
    await database.remove();
  });

  it('test_sqlite_gets_the_limit_in_its_text_not_as_a_parameter', async () => {
    // A bound LIMIT makes SQLite prepare the statement again on every run (it plans around the value).
    const query = firstRows(database.db, database.db.kysely.selectFrom('inbox').select('message_id'), 2);
    const compiled = query.compile();
    assert.match(compiled.sql, /limit 2$/);
    assert.deepEqual(compiled.parameters, []);
    assert.equal((await query.execute()).length, 2);
  });

  it('test_sql_server_gets_top_n_in_its_text', () => {
    const db = mssqlCompileOnly(() => undefined);
    const compiled = firstRows(db, db.kysely.selectFrom('inbox').select('message_id'), 7).compile();
    assert.match(compiled.sql, /^select top\(7\) /);
    assert.deepEqual(compiled.parameters, []);
  });

  it('test_a_limit_that_is_not_a_whole_number_is_refused_before_it_reaches_the_text', () => {
    const query = database.db.kysely.selectFrom('inbox').select('message_id');
    for (const rows of [1.5, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => firstRows(database.db, query, rows), /a row limit must be a whole number/, String(rows));
    }
  });
});
