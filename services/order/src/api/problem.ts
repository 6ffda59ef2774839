/**
 * Errors leave the service here, once, as application/problem+json (RFC 9457). Validation failures list
 * every field at fault with a JSON pointer and a dotted path (`items[0].quantity`).
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import type { Logger } from '../observability/logger.js';
import { currentTrace } from '../observability/trace.js';

export const PROBLEM_JSON = 'application/problem+json';
const TYPE_BASE = 'https://contoso-shop.example/problems/';

export interface FieldError {
  readonly in: 'body' | 'query' | 'path' | 'header';
  readonly field: string;
  readonly pointer: string;
  readonly message: string;
}

/** A refusal the API means to give: status, title, detail and optional extension members. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly slug?: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
  }
}

export function validationProblem(errors: readonly FieldError[], status = 422): ProblemError {
  const fields = [...new Set(errors.map((error) => error.field))].sort().join(', ');
  return new ProblemError(status, 'Validation failed', `invalid: ${fields}`, 'validation-failed', { errors });
}

export function dottedPath(path: ReadonlyArray<PropertyKey>): string {
  let dotted = '';
  for (const part of path) {
    if (typeof part === 'number') dotted += `[${part}]`;
    else dotted += dotted === '' ? String(part) : `.${String(part)}`;
  }
  return dotted;
}

export function zodFieldErrors(where: FieldError['in'], error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    in: where,
    field: dottedPath(issue.path) || where,
    pointer: issue.path.map((part) => `/${String(part)}`).join(''),
    message: issue.message,
  }));
}

/** Parses `value` with `schema` or throws a 422 problem naming each field at fault. */
export function parseOr422<T extends z.ZodType>(schema: T, value: unknown, where: FieldError['in']): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationProblem(zodFieldErrors(where, result.error));
  return result.data;
}

function send(res: Parameters<RequestHandler>[1], instance: string, problem: ProblemError): void {
  const body: Record<string, unknown> = {
    type: problem.slug ? TYPE_BASE + problem.slug : 'about:blank',
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance,
    ...problem.extensions,
  };
  const trace = currentTrace();
  if (trace) body['traceId'] = trace.traceId;
  res.status(problem.status).set(problem.headers).type(PROBLEM_JSON).send(JSON.stringify(body));
}

export const notFoundHandler: RequestHandler = (req, res) => {
  send(res, req.path, new ProblemError(404, 'Not found', `no route for ${req.method} ${req.path}`, 'not-found'));
};

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof ProblemError) {
      send(res, req.path, error);
      return;
    }
    const parserError = error as BodyParserError;
    if (parserError.type === 'entity.parse.failed') {
      send(res, req.path, new ProblemError(400, 'Malformed JSON', 'the body is not valid JSON', 'malformed-json'));
      return;
    }
    if (parserError.type === 'entity.too.large') {
      send(
        res,
        req.path,
        new ProblemError(413, 'Payload too large', 'the body exceeds the size limit', 'payload-too-large'),
      );
      return;
    }
    if (parserError.type === 'encoding.unsupported' || parserError.type === 'charset.unsupported') {
      send(
        res,
        req.path,
        new ProblemError(415, 'Unsupported media type', parserError.message, 'unsupported-media-type'),
      );
      return;
    }
    log.error({ exception: error, method: req.method, path: req.path }, 'unhandled error');
    send(
      res,
      req.path,
      new ProblemError(500, 'Internal error', 'the request failed; it can be retried', 'internal-error'),
    );
  };
}
