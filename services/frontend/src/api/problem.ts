/**
 * Errors from the product and order services are application/problem+json (RFC 9457). Validation failures
 * carry `errors: [{in, field, pointer, message}]` with dotted field paths (`customer.email`,
 * `items[0].quantity`). This module turns any failed call into one {@link ApiError} that pages can render.
 */

export interface FieldProblem {
  /** Dotted path such as `customer.email` or `items[0].quantity`. */
  readonly field: string;
  readonly message: string;
}

export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string | undefined;
  readonly instance?: string | undefined;
  readonly traceId?: string | undefined;
  readonly errors: readonly FieldProblem[];
  /** Extension members (e.g. `productId`, `available` on an insufficient-stock problem). */
  readonly extensions: Readonly<Record<string, unknown>>;
}

export type ApiErrorKind = 'problem' | 'network' | 'timeout' | 'unexpected-response';

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    readonly status: number | undefined,
    readonly problem: ProblemDetails | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The last segment of the problem type URI, e.g. `insufficient-stock`; undefined for `about:blank`. */
  get slug(): string | undefined {
    const type = this.problem?.type;
    if (type === undefined || type === 'about:blank') return undefined;
    return type.split('/').pop() || undefined;
  }

  get fieldErrors(): readonly FieldProblem[] {
    return this.problem?.errors ?? [];
  }

  /** Worth trying the same request again: the shop was unreachable or had a temporary failure. */
  get retryable(): boolean {
    return (
      this.kind === 'network' ||
      this.kind === 'timeout' ||
      (this.status !== undefined && this.status >= 500) ||
      this.status === 429
    );
  }
}

const KNOWN_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'traceId', 'errors']);

function pointerToField(pointer: string): string {
  let dotted = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^[0-9]+$/.test(part)) dotted += `[${part}]`;
    else dotted += dotted === '' ? part : `.${part}`;
  }
  return dotted;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function fieldProblems(value: unknown): FieldProblem[] {
  if (!Array.isArray(value)) return [];
  const problems: FieldProblem[] = [];
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const record = entry as Record<string, unknown>;
    const pointer = text(record['pointer']);
    const field = text(record['field']) ?? (pointer !== undefined ? pointerToField(pointer) : undefined);
    const message = text(record['message']) ?? text(record['detail']) ?? 'is not valid';
    if (field !== undefined) problems.push({ field, message });
  }
  return problems;
}

/** Reads a problem document; anything missing is filled from the HTTP status. */
export function parseProblem(body: unknown, status: number, statusText = ''): ProblemDetails {
  const record =
    typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const extensions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (!KNOWN_MEMBERS.has(key)) extensions[key] = value;
  }
  return {
    type: text(record['type']) ?? 'about:blank',
    title: text(record['title']) ?? (statusText || `HTTP ${status}`),
    status: typeof record['status'] === 'number' ? record['status'] : status,
    detail: text(record['detail']),
    instance: text(record['instance']),
    traceId: text(record['traceId']),
    errors: fieldProblems(record['errors']),
    extensions,
  };
}

export async function apiErrorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const problem = parseProblem(body, response.status, response.statusText);
  return new ApiError('problem', response.status, problem, problem.detail ?? problem.title);
}

/** What to tell a person about a failed call: a headline, an explanation and what they can do. */
export interface ErrorAdvice {
  readonly headline: string;
  readonly explanation: string;
  readonly action: string;
}

/** Problem types about one item of an order, which the cart can fix. */
export const ITEM_PROBLEMS: ReadonlySet<string> = new Set([
  'insufficient-stock',
  'unknown-product',
  'currency-mismatch',
]);

/**
 * @param nameOf the product name for a product id, where the caller knows it (e.g. from the cart).
 */
export function adviceFor(
  error: unknown,
  nameOf: (productId: string) => string | undefined = () => undefined,
): ErrorAdvice {
  if (!(error instanceof ApiError)) {
    return {
      headline: 'Something went wrong',
      explanation: error instanceof Error ? error.message : 'An unexpected error occurred.',
      action: 'Reload the page and try again.',
    };
  }
  if (error.kind === 'network') {
    return {
      headline: 'We could not reach the shop',
      explanation: 'Your device could not connect to our servers.',
      action: 'Check your connection, then try again.',
    };
  }
  if (error.kind === 'timeout') {
    return {
      headline: 'The shop is taking too long to answer',
      explanation: 'The request did not finish in time.',
      action: 'Try again in a moment.',
    };
  }
  if (error.kind === 'unexpected-response') {
    return {
      headline: 'The shop sent an answer we could not read',
      explanation: error.message,
      action: 'Try again in a moment; if it keeps happening, contact support.',
    };
  }
  const problem = error.problem;
  const detail = problem?.detail;
  switch (error.slug) {
    case 'insufficient-stock': {
      const available = problem?.extensions['available'];
      const productId = problem?.extensions['productId'];
      const what = typeof productId === 'string' ? `"${nameOf(productId) ?? productId}"` : 'an item in your cart';
      return {
        headline: 'Not enough stock',
        explanation:
          typeof available === 'number'
            ? `Only ${available} of ${what} ${available === 1 ? 'is' : 'are'} left.`
            : `There is not enough stock of ${what}.`,
        action: 'Lower the quantity in your cart, then place the order again.',
      };
    }
    case 'unknown-product': {
      const productId = problem?.extensions['productId'];
      return {
        headline: 'A product is no longer sold',
        explanation:
          typeof productId === 'string'
            ? `"${nameOf(productId) ?? productId}" is no longer in the catalog.`
            : 'An item in your cart is no longer in the catalog.',
        action: 'Remove it from your cart, then place the order again.',
      };
    }
    case 'currency-mismatch':
      return {
        headline: 'Items are priced in different currencies',
        explanation: detail ?? 'One order can only hold items in one currency.',
        action: 'Place a separate order for the items in each currency.',
      };
    case 'validation-failed':
      return {
        headline: 'Some details need correcting',
        explanation: error.fieldErrors.map((issue) => `${issue.field}: ${issue.message}`).join('; ') || (detail ?? ''),
        action: 'Correct the highlighted fields and submit again.',
      };
    default:
      break;
  }
  const status = error.status ?? 0;
  if (status === 404) {
    return {
      headline: 'Not found',
      explanation: detail ?? 'We could not find what you asked for.',
      action: 'Check the link, or go back to the catalog.',
    };
  }
  if (status === 409) {
    return {
      headline: 'That could not be done right now',
      explanation: detail ?? problem?.title ?? 'It conflicts with the current state.',
      action: 'Reload the page to see the latest state.',
    };
  }
  if (status === 429 || status >= 500) {
    return {
      headline: 'The shop is having trouble',
      explanation: detail ?? 'A temporary problem on our side stopped this request.',
      action: 'Wait a moment and try again; nothing was lost.',
    };
  }
  return {
    headline: problem?.title ?? 'The request was refused',
    explanation: detail ?? '',
    action: 'Check what you entered and try again.',
  };
}
