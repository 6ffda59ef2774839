/**
 * Per request: its trace context when spans are not recorded, the traceparent answered, the route template
 * for the server span's name, access log and the HTTP RED metrics. Every request is
 * counted, /health, /ready and /metrics included; the route label is the OpenAPI path template that serves
 * the path (`/orders/{id}`), or `unmatched`, so that ids never reach the label set.
 */
import type { RequestHandler } from 'express';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { recordRoute } from '../observability/http-route.js';
import {
  activeContext,
  currentTrace,
  currentTraceparent,
  runInContext,
  unrecordedRequestContext,
} from '../observability/trace.js';

/** Probes and scrapes are counted but not access-logged. */
const QUIET = new Set(['/health', '/ready', '/metrics']);

/**
 * Maps a request path to the template among `templates` that matches it, the way Express routes: case
 * insensitive, a trailing slash allowed, a `{param}` standing for one path segment. Templates with fewer
 * parameters win, so a literal segment beats a parameter.
 */
export function routeLabeler(templates: readonly string[]): (path: string) => string {
  const params = (template: string): number => template.split('{').length - 1;
  const compiled = [...templates]
    .sort((a, b) => params(a) - params(b))
    .map((template) => {
      const pattern = template
        .split(/(\{[^}]+\})/)
        .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
        .join('');
      // eslint-disable-next-line security/detect-non-literal-regexp -- built from the app's own route templates
      return { template, regex: new RegExp(`^${pattern}/?$`, 'i') };
    });
  return (path) => compiled.find(({ regex }) => regex.test(path))?.template ?? 'unmatched';
}

/** The request counter and duration histogram of one (method, route, status). */
interface RedSeries {
  readonly requests: { inc(): void };
  readonly duration: { observe(seconds: number): void };
}

export function observability(log: Logger, metrics: Metrics, routeOf: (path: string) => string): RequestHandler {
  // Each label set's series looked up once: prom-client otherwise sorts and joins the labels on every call.
  // The label sets are few (routes are templates), so the map stays small.
  const series = new Map<string, RedSeries>();
  const seriesOf = (method: string, route: string, status: string): RedSeries => {
    const key = `${method} ${route} ${status}`;
    let known = series.get(key);
    if (known === undefined) {
      known = {
        requests: metrics.httpRequests.labels(method, route, status),
        duration: metrics.httpDuration.labels(method, route, status),
      };
      series.set(key, known);
    }
    return known;
  };
  const observe: RequestHandler = (req, res, next) => {
    // The request's span is active here: the HTTP server span of instrumentation-http when spans are
    // recorded, else the unrecorded one of unrecordedRequestContext; either is the child of a valid
    // incoming traceparent, else the root of a new trace.
    const traceparent = currentTraceparent();
    if (traceparent !== null) res.setHeader('traceparent', traceparent);
    // Read before routing: mounted routers rewrite req.url while they handle the request.
    const route = routeOf(req.path);
    recordRoute(res, route);
    const started = process.hrtime.bigint();
    const requestContext = activeContext();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const { requests, duration } = seriesOf(req.method, route, String(res.statusCode));
      requests.inc();
      duration.observe(seconds);
      if (!QUIET.has(route)) {
        runInContext(requestContext, () => {
          log.info(
            { method: req.method, route, status: res.statusCode, duration_ms: Math.round(seconds * 1e5) / 100 },
            'request',
          );
        });
      }
    });
    next();
  };
  return (req, res, next) => {
    // Probes and scrapes are not traced (tracing.ts), recorded or not.
    if (currentTrace() !== undefined || QUIET.has(req.path)) {
      observe(req, res, next);
      return;
    }
    runInContext(unrecordedRequestContext(req.headers.traceparent), () => observe(req, res, next));
  };
}
