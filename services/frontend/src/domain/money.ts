/**
 * Money arrives from the APIs as decimal strings with at most two places ("12.50") and is held as integer
 * minor units (1250) for arithmetic, so no amount ever passes through a binary float. Only currencies with
 * two minor digits are supported, as in the catalog.
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
  const match = DECIMAL.exec(value.trim());
  if (match === null) throw new InvalidAmountError(value);
  const minor = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(minor)) throw new InvalidAmountError(value);
  return minor;
}

export function toDecimalString(minor: number): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`${minor} is not a whole number of minor units`);
  const sign = minor < 0 ? '-' : '';
  const absolute = Math.abs(minor);
  return `${sign}${Math.trunc(absolute / 100)}.${String(absolute % 100).padStart(2, '0')}`;
}

export function multiplyMinor(unitMinor: number, quantity: number): number {
  const total = unitMinor * quantity;
  if (!Number.isSafeInteger(total)) throw new RangeError('amount out of range');
  return total;
}

export function addMinor(a: number, b: number): number {
  const total = a + b;
  if (!Number.isSafeInteger(total)) throw new RangeError('amount out of range');
  return total;
}

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string, locale: string | undefined): Intl.NumberFormat {
  const key = `${locale ?? ''}|${currency}`;
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    formatter = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formatters.set(key, formatter);
  }
  return formatter;
}

/** "$12.50" for (1250, "USD"). The amount goes to Intl as a decimal string, which it formats exactly. */
export function formatMinor(minor: number, currency: string, locale?: string): string {
  const decimal = toDecimalString(minor) as Intl.StringNumericLiteral;
  try {
    return formatterFor(currency, locale).format(decimal);
  } catch {
    // An unknown currency code should not take a page down; show the plain amount and code instead.
    return `${toDecimalString(minor)} ${currency}`;
  }
}

/** Formats an API decimal string such as "12.50". */
export function formatPrice(value: string, currency: string, locale?: string): string {
  return formatMinor(toMinorUnits(value), currency, locale);
}
