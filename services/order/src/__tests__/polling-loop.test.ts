/** The background loop behind the outbox relay and the payment-timeout sweeper: passes, waits, wake-ups. */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { PollingLoop } from '../polling-loop.js';

/** An interval no test waits out: a pass that runs again before it was started by something else. */
const FOREVER_MS = 3_600_000;

/** Every loop a test started; stopped after each test, also one that failed while the loop still waits. */
const started: PollingLoop[] = [];

function loopOf(pass: () => Promise<boolean>, gatherMs = 0): PollingLoop {
  const loop = new PollingLoop(pass, FOREVER_MS, () => undefined, gatherMs);
  started.push(loop);
  return loop;
}

describe('polling loop', () => {
  afterEach(async () => {
    await Promise.all(started.splice(0).map((loop) => loop.stop()));
  });

  it('test_wake_runs_a_pass_without_waiting_out_the_interval', { timeout: 5000 }, async () => {
    let passes = 0;
    let secondPass: () => void = () => undefined;
    const second = new Promise<void>((resolve) => {
      secondPass = resolve;
    });
    const loop = loopOf(() => {
      passes += 1;
      if (passes === 2) secondPass();
      return Promise.resolve(false);
    });
    loop.start();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(passes, 1, 'the first pass runs at start, then the loop waits');
    loop.wake();
    await second;
    await loop.stop();
    assert.equal(passes, 2);
  });

  it('test_a_wake_during_a_pass_runs_one_more_pass_after_it', { timeout: 5000 }, async () => {
    let passes = 0;
    let release: () => void = () => undefined;
    const firstPassHeld = new Promise<void>((resolve) => {
      release = resolve;
    });
    let secondPass: () => void = () => undefined;
    const second = new Promise<void>((resolve) => {
      secondPass = resolve;
    });
    const loop = loopOf(async () => {
      passes += 1;
      if (passes === 1) await firstPassHeld;
      if (passes === 2) secondPass();
      return false;
    });
    loop.start();
    // The new work arrives while the first pass runs (it may have read the outbox before the commit).
    loop.wake();
    release();
    await second;
    await loop.stop();
    assert.equal(passes, 2, 'one more pass, then the loop waits for the interval');
  });

  /**
   * Wakes a waiting loop three times, a turn of the event loop apart (three commits); resolves with the
   * passes run once the loop is idle again.
   */
  async function passesAfterThreeWakes(gatherMs: number): Promise<number> {
    let passes = 0;
    const loop = loopOf(() => {
      passes += 1;
      return Promise.resolve(false);
    }, gatherMs);
    loop.start();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(passes, 1, 'the first pass runs at start, then the loop waits');
    for (let wake = 0; wake < 3; wake += 1) {
      loop.wake();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, gatherMs + 100));
    await loop.stop();
    return passes;
  }

  it('test_wakes_within_the_gather_time_share_one_pass', { timeout: 5000 }, async () => {
    assert.equal(await passesAfterThreeWakes(50), 2, 'three wakes while gathering, one pass for them');
  });

  it('test_without_a_gather_time_each_wake_runs_a_pass', { timeout: 5000 }, async () => {
    // The contrast the gathering is for: a pass per commit.
    assert.equal(await passesAfterThreeWakes(0), 4);
  });

  it('test_stop_cancels_a_gathering_wake', { timeout: 5000 }, async () => {
    let passes = 0;
    const loop = loopOf(() => {
      passes += 1;
      return Promise.resolve(false);
    }, 60_000);
    loop.start();
    await new Promise((resolve) => setImmediate(resolve));
    loop.wake();
    await loop.stop(); // resolves at once: neither the gather timer nor the interval holds it
    assert.equal(passes, 1);
  });
});
