/** Per request: trace context in and out (traceparent), access log and RED metrics by route template. */
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import type { Metrics } from '../observability/metrics.js';
import { formatTraceparent, runInTrace, startSpan } from '../observability/trace.js';

const QUIET = new Set(['/health', '/ready', '/metrics']);

function routeTemplate(req: Request): string {
  const path = req.route?.path;
  if (typeof path !== 'string') return 'unmatched';
  // A router's root route ('/' under '/orders') is labelled '/orders', as it is written in the API.
  return path === '/' && req.baseUrl !== '' ? req.baseUrl : `${req.baseUrl}${path}`;
}

export function observability(log: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const span = startSpan(req.get('traceparent'));
    res.setHeader('traceparent', formatTraceparent(span));
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeTemplate(req);
      const labels = { method: req.method, route, status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      if (!QUIET.has(route)) {
        runInTrace(span, () =>
          log.info(
            { method: req.method, route, status: res.statusCode, durationMs: Math.round(seconds * 1e5) / 100 },
            'request',
          ),
        );
      }
    });
    runInTrace(span, () => next());
  };
}
