/** Queries compiled once and run with new values (db/compiled-once.ts), on SQLite and in SQL Server's form. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CompiledQuery } from 'kysely';
import { mssqlCompileOnly } from '../../adapters/database.js';
import { CompiledOnce } from '../compiled-once.js';
import { tempDatabase, type TempDatabase } from '../../../test/helpers.js';

const keyOf = (): CompiledOnce<{ outcome: string }, [string]> =>
  new CompiledOnce(
    (executor, key: string) => executor.selectFrom('inbox').select('outcome').where('message_id', '=', key),
    ['$key'],
  );

describe('compiled once', () => {
  let database: TempDatabase;

  before(async () => {
    database = await tempDatabase();
    for (const [key, outcome] of [
      ['key-a', 'order-a'],
      ['key-b', 'order-b'],
    ] as const) {
      await database.db.kysely
        .insertInto('inbox')
        .values({ message_id: key, message_type: 'PaymentSucceeded', order_id: null, outcome, processed_at: 'now' })
        .execute();
    }
  });

  after(async () => {
    await database.remove();
  });

  it('test_each_run_takes_its_own_values', async () => {
    const query = keyOf();
    const rowsFor = async (key: string): Promise<unknown[]> => (await query.run(database.db.kysely, key)).rows;
    assert.deepEqual(await rowsFor('key-a'), [{ outcome: 'order-a' }]);
    assert.deepEqual(await rowsFor('key-b'), [{ outcome: 'order-b' }], 'not the first run’s value again');
    assert.deepEqual(await rowsFor('key-none'), []);
  });

  it('test_it_runs_inside_a_transaction', async () => {
    const query = keyOf();
    const rows = await database.db.kysely.transaction().execute(async (trx) => (await query.run(trx, 'key-b')).rows);
    assert.deepEqual(rows, [{ outcome: 'order-b' }]);
  });

  it('test_a_query_whose_values_do_not_line_up_with_its_parameters_is_refused', async () => {
    // Values the query does not take in the order given would bind one value in another's place.
    const swapped = new CompiledOnce(
      (executor, key: string, orderId: string) =>
        executor.selectFrom('inbox').select('outcome').where('outcome', '=', orderId).where('message_id', '=', key),
      ['$key', '$order'],
    );
    await assert.rejects(swapped.run(database.db.kysely, 'key-a', 'order-a'), (error: Error) => {
      assert.match(error.message, /must take exactly its parameters, in order: select "outcome" from "inbox"/);
      return true;
    });
    const literal = new CompiledOnce(
      (executor, _key: string) =>
        executor.selectFrom('idempotency_keys').select('order_id').where('order_id', '=', 'x'),
      ['$key'],
    );
    await assert.rejects(literal.run(database.db.kysely, 'key-a'), /must take exactly its parameters/);
  });

  it('test_each_instance_compiles_for_its_own_dialect', async () => {
    const queries: CompiledQuery[] = [];
    const mssql = mssqlCompileOnly((event) => queries.push(event.query));
    const query = keyOf();
    await query.run(mssql.kysely, 'key-a');
    await keyOf().run(database.db.kysely, 'key-a');
    const [compiled] = queries;
    assert.equal(compiled?.sql, 'select "outcome" from "inbox" where "message_id" = @1');
    assert.deepEqual(compiled.parameters, ['key-a']);
    await mssql.close();
  });
});
