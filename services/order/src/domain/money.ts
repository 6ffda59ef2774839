/**
 * Money travels as decimal strings with two places ("12.50") and is held as integer minor units (1250), so
 * no amount ever passes through a binary float. Only two-decimal currencies are supported (the catalog
 * prices in such currencies); a currency with other minor units would need its exponent here.
 */

// eslint-disable-next-line security/detect-unsafe-regex -- anchored, no nested repetition: linear time
const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,2}))?$/;

export class InvalidAmountError extends Error {
  constructor(value: string) {
    super(`"${value}" is not a decimal amount with at most two places`);
    this.name = 'InvalidAmountError';
  }
}

export function toMinorUnits(value: string): number {
  const match = DECIMAL.exec(value);
  if (match === null) throw new InvalidAmountError(value);
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(2, '0'));
  const minor = whole * 100 + fraction;
  if (!Number.isSafeInteger(minor)) throw new InvalidAmountError(value);
  return minor;
}

export function fromMinorUnits(minor: number): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`${minor} is not a whole number of minor units`);
  const sign = minor < 0 ? '-' : '';
  const absolute = Math.abs(minor);
  const fraction = String(absolute % 100).padStart(2, '0');
  return `${sign}${Math.trunc(absolute / 100)}.${fraction}`;
}

export function multiply(unitMinor: number, quantity: number): number {
  const product = unitMinor * quantity;
  if (!Number.isSafeInteger(product)) throw new RangeError('amount out of range');
  return product;
}
