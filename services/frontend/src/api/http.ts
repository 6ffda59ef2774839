/** The one place that performs HTTP calls to the shop's APIs and turns failures into {@link ApiError}. */
import { ApiError, apiErrorFromResponse } from './problem';

export interface RequestOptions {
  readonly method?: 'GET' | 'POST';
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal | undefined;
  /** Milliseconds before the call gives up (default 15 s). */
  readonly timeoutMs?: number;
}

export async function requestJson<T>(url: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    if (timeout.aborted) throw new ApiError('timeout', undefined, undefined, `no answer from ${url} in time`);
    throw new ApiError('network', undefined, undefined, `could not reach ${url}`);
  }
  if (!response.ok) throw await apiErrorFromResponse(response);
  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError('unexpected-response', response.status, undefined, `the answer from ${url} is not JSON`);
  }
}

export function withQuery(
  base: string,
  params: Readonly<Record<string, string | number | boolean | undefined>>,
): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const query = search.toString();
  return query === '' ? base : `${base}?${query}`;
}
