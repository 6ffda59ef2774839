/**
 * What every consumer test of this workspace shares: where the pact files go, how a pact is opened (Pact
 * specification V4, the file removed first so that each run writes it afresh instead of merging into the
 * committed one), and the matchers the contract is written with (anchored: Pact's regex rule matches
 * anywhere in the value otherwise).
 */
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MatchersV3, PactV4, SpecificationVersion } from '@pact-foundation/pact';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
/** The committed pacts; the tests write to PACT_OUTPUT_DIR (set by scripts/consumer-tests.mjs). */
export const PACTS_DIR = join(REPO_ROOT, 'contract-tests/pacts');
const OUTPUT_DIR = process.env['PACT_OUTPUT_DIR'] ?? PACTS_DIR;
export const MESSAGES_DIR = join(REPO_ROOT, 'contract-tests/messages');

export type Participant = 'frontend' | 'product' | 'order' | 'payment' | 'notification';

export function pactFile(consumer: Participant, provider: Participant): string {
  return join(OUTPUT_DIR, `${consumer}-${provider}.json`);
}

/**
 * A V4 pact between `consumer` and `provider`, written to <output dir>/<consumer>-<provider>.json.
 * pact-js merges each interaction into an existing file; the file is removed here first, so an interaction
 * dropped from the tests also leaves the pact.
 */
export function openPact(consumer: Participant, provider: Participant): PactV4 {
  rmSync(pactFile(consumer, provider), { force: true });
  return new PactV4({
    consumer,
    provider,
    dir: OUTPUT_DIR,
    spec: SpecificationVersion.SPECIFICATION_VERSION_V4,
    logLevel: 'error',
  });
}

const { regex } = MatchersV3;

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** RFC 3339 UTC timestamp with optional fraction (`2026-11-26T08:00:00.000Z`, `2026-11-26T08:00:00Z`). */
// eslint-disable-next-line security/detect-unsafe-regex -- anchored, fixed-width fields: linear time
export const UTC_TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|\+00:00)$/;
export const MONEY_PATTERN = /^\d+\.\d{2}$/;
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
export const TRACEPARENT_PATTERN = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
// eslint-disable-next-line security/detect-unsafe-regex -- anchored, one optional tail: linear time
export const PROBLEM_JSON_PATTERN = /^application\/problem\+json(;.*)?$/;
// eslint-disable-next-line security/detect-unsafe-regex -- anchored, one optional tail: linear time
export const JSON_PATTERN = /^application\/json(;.*)?$/;

export const uuid = (example: string) => regex(UUID_PATTERN, example);
export const utcTimestamp = (example: string) => regex(UTC_TIMESTAMP_PATTERN, example);
export const money = (example: string) => regex(MONEY_PATTERN, example);
export const currency = (example: string) => regex(CURRENCY_PATTERN, example);
export const traceparent = (example: string) => regex(TRACEPARENT_PATTERN, example);

/** The `type` URI of a problem whose last segment is `slug` (`https://contoso-shop.example/problems/not-found`). */
export const problemType = (slug: string) =>
  // eslint-disable-next-line security/detect-non-literal-regexp -- slug is one of this module's problem types
  regex(new RegExp(`^https?://[^\\s]+/${slug}$`), `https://contoso-shop.example/problems/${slug}`);

/** `Content-Type` of an RFC 9457 answer. */
export const problemJson = () => regex(PROBLEM_JSON_PATTERN, 'application/problem+json');
export const applicationJson = () => regex(JSON_PATTERN, 'application/json');

/** What the response helpers below use of Pact's response builder (pact-js does not export its type). */
interface ResponseBuilder {
  headers(headers: Record<string, ReturnType<typeof regex>>): { jsonBody(body: unknown): unknown };
}

/** For willRespondWith: a JSON answer (`Content-Type` application/json) with `body`. */
export const jsonResponse =
  (body: unknown) =>
  (response: ResponseBuilder): void => {
    response.headers({ 'Content-Type': applicationJson() }).jsonBody(body);
  };

/** For willRespondWith: an RFC 9457 answer (`Content-Type` application/problem+json) with `body`. */
export const problemResponse =
  (body: unknown) =>
  (response: ResponseBuilder): void => {
    response.headers({ 'Content-Type': problemJson() }).jsonBody(body);
  };

/** What `work` was rejected with, or undefined when it resolved. */
export function rejectionOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
}

/** A product in the product service's provider state `a product exists` (frontend → product, order → product). */
export const CONTRACT_PRODUCT = {
  productId: 'contract-mug-classic',
  name: 'Classic white mug',
  category: 'contract-kitchen',
  price: '12.50',
  currency: 'USD',
  stock: 40,
};
/** The product id of the product service's provider state `no product exists`. */
export const UNKNOWN_PRODUCT_ID = 'contract-no-such-product';
