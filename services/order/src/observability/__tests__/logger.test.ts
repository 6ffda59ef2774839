/** The log shape of docs/conventions.md, line by line. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../logger.js';
import { inConsumerSpan } from '../trace.js';
import { startTracing } from '../tracing.js';

// As in production with no exporter configured: spans are not recorded, yet get ids that logs carry.
await startTracing({
  environment: 'development',
  otlpEndpoint: undefined,
  applicationInsightsConnectionString: undefined,
  applicationInsightsEntra: undefined,
});

function capture(level = 'trace'): { log: ReturnType<typeof createLogger>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger(level, {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { log, lines };
}

describe('logger', () => {
  it('test_every_line_has_time_level_service_and_message_and_no_pid_or_hostname', () => {
    const { log, lines } = capture();
    log.info({ order_id: 'o-1' }, 'order placed');
    const [line] = lines;
    assert.ok(line);
    assert.deepEqual(Object.keys(line).sort(), ['level', 'message', 'order_id', 'service', 'time']);
    assert.match(String(line['time']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.equal(line['level'], 'info');
    assert.equal(line['service'], 'order');
    assert.equal(line['message'], 'order placed');
  });

  it('test_levels_are_written_with_the_shared_names', () => {
    const { log, lines } = capture();
    log.trace('t');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    log.fatal('f');
    assert.deepEqual(
      lines.map((line) => line['level']),
      ['debug', 'debug', 'info', 'warning', 'error', 'critical'],
    );
  });

  it('test_level_filtering_accepts_pino_and_shared_names', () => {
    for (const level of ['warn', 'warning']) {
      const { log, lines } = capture(level);
      log.info('dropped');
      log.warn('kept');
      assert.deepEqual(
        lines.map((line) => line['message']),
        ['kept'],
        level,
      );
    }
    const { log, lines } = capture('critical');
    log.error('dropped');
    log.fatal('kept');
    assert.deepEqual(
      lines.map((line) => line['message']),
      ['kept'],
    );
  });

  it('test_lines_in_a_trace_carry_trace_id_and_span_id_even_when_spans_are_not_recorded', async () => {
    const { log, lines } = capture();
    const spanId = await inConsumerSpan(
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      { system: 'servicebus', destination: 'payment-events' },
      (span) => {
        log.info('inside');
        assert.equal(span.isRecording(), false);
        return Promise.resolve(span.spanContext().spanId);
      },
    );
    log.info('outside');
    const [inside, outside] = lines;
    assert.ok(inside && outside);
    assert.equal(inside['trace_id'], '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.match(String(inside['span_id']), /^[0-9a-f]{16}$/);
    assert.equal(inside['span_id'], spanId);
    assert.notEqual(spanId, '00f067aa0ba902b7', "a span of its own, the child of the message's");
    assert.equal('trace_id' in outside, false);
    assert.equal('span_id' in outside, false);
  });

  it('test_an_exception_is_written_as_its_formatted_stack', () => {
    const { log, lines } = capture();
    log.error({ exception: new TypeError('boom', { cause: new Error('root') }) }, 'failed');
    log.error(new RangeError('direct'));
    const [wrapped, direct] = lines;
    assert.ok(wrapped && direct);
    assert.match(String(wrapped['exception']), /^TypeError: boom\n\s+at [\s\S]*Caused by: Error: root/);
    assert.equal(wrapped['message'], 'failed');
    assert.match(String(direct['exception']), /^RangeError: direct/);
    assert.equal(direct['message'], 'direct');
  });

  it('test_secrets_are_redacted', () => {
    const { log, lines } = capture();
    log.info({ payment: { token: '4242424242424242' } }, 'x');
    assert.doesNotMatch(JSON.stringify(lines), /4242/);
  });
});
