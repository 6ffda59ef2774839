/** The SQLite adapter's statement cache: each SQL text prepared once, reused with new parameters, bounded. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { preparedOnce } from '../database.js';

function database(): SQLite.Database {
  const db = new SQLite(':memory:');
  db.exec('create table t (id integer primary key, name text)');
  db.prepare('insert into t (id, name) values (?, ?), (?, ?)').run(1, 'one', 2, 'two');
  return db;
}

describe('prepared statements', () => {
  it('test_the_same_sql_reuses_one_statement_with_each_calls_parameters', () => {
    const cached = preparedOnce(database());
    const sql = 'select name from t where id = ?';
    const first = cached.prepare(sql);
    const again = cached.prepare(sql);
    assert.equal(again, first, 'prepared once');
    assert.deepEqual(first.all([1]), [{ name: 'one' }]);
    assert.deepEqual(again.all([2]), [{ name: 'two' }]);
    assert.notEqual(cached.prepare('select id from t where id = ?'), first, 'another text, another statement');
    cached.close();
  });

  it('test_a_full_cache_lets_the_oldest_statement_go', () => {
    const cached = preparedOnce(database(), 2);
    const oldest = cached.prepare('select 1');
    const kept = cached.prepare('select 2');
    cached.prepare('select 3');
    assert.equal(cached.prepare('select 2'), kept);
    assert.notEqual(cached.prepare('select 1'), oldest, 'prepared anew after it was let go');
    cached.close();
  });
});
