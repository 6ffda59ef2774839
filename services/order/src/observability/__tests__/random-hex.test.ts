/** Request span ids drawn from a pool of CSPRNG bytes (trace.ts randomHex). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomHex, unrecordedRequestContext } from '../trace.js';
import { trace } from '@opentelemetry/api';

describe('random hex', () => {
  it('test_every_draw_is_fresh_across_pool_refills', () => {
    // 24 bytes a draw, 1000 draws: several refills of the 4 KiB pool; a byte handed out twice would repeat ids.
    const drawn = Array.from({ length: 1000 }, () => randomHex(24));
    for (const hex of drawn) assert.match(hex, /^[0-9a-f]{48}$/);
    assert.equal(new Set(drawn).size, drawn.length);
    const ends = new Set(drawn.map((hex) => hex.slice(32)));
    assert.equal(ends.size, drawn.length, 'no span id repeats');
  });

  it('test_a_draw_that_does_not_fit_the_rest_of_the_pool_comes_from_a_new_pool', () => {
    // 4096 = 170 * 24 + 16: the 171st draw cannot be served from what is left.
    const lengths = Array.from({ length: 400 }, (_, index) => randomHex(index % 2 === 0 ? 24 : 40).length);
    assert.deepEqual(
      lengths,
      Array.from({ length: 400 }, (_, index) => (index % 2 === 0 ? 48 : 80)),
    );
  });

  it('test_requests_without_a_traceparent_get_ids_of_their_own', () => {
    const ids = Array.from({ length: 200 }, () => trace.getSpanContext(unrecordedRequestContext(undefined)));
    for (const context of ids) {
      assert.ok(context);
      assert.match(context.traceId, /^[0-9a-f]{32}$/);
      assert.match(context.spanId, /^[0-9a-f]{16}$/);
    }
    assert.equal(new Set(ids.map((context) => context?.traceId)).size, 200);
  });
});
