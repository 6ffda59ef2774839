import { describe, expect, it } from 'vitest';
import {
  InvalidAmountError,
  addMinor,
  formatMinor,
  formatPrice,
  multiplyMinor,
  toDecimalString,
  toMinorUnits,
} from './money';

describe('toMinorUnits', () => {
  it.each([
    ['12.50', 1250],
    ['12.5', 1250],
    ['12', 1200],
    ['0.01', 1],
    ['0', 0],
    ['999999999.99', 99999999999],
  ])('reads %s as %i minor units', (value, minor) => {
    expect(toMinorUnits(value)).toBe(minor);
  });

  it.each(['', '1.234', '-1.00', '01.00', '1,00', 'abc', '1e3', '.5'])('refuses %j', (value) => {
    expect(() => toMinorUnits(value)).toThrow(InvalidAmountError);
  });

  it('adds amounts that binary floats get wrong exactly', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(toDecimalString(addMinor(toMinorUnits('0.10'), toMinorUnits('0.20')))).toBe('0.30');
  });
});

describe('toDecimalString', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [1250, '12.50'],
    [-1250, '-12.50'],
  ])('writes %i as %s', (minor, text) => {
    expect(toDecimalString(minor)).toBe(text);
  });

  it('refuses fractions of a minor unit', () => {
    expect(() => toDecimalString(1.5)).toThrow(RangeError);
  });
});

describe('multiplyMinor', () => {
  it('multiplies a unit price by a quantity', () => {
    expect(multiplyMinor(toMinorUnits('19.99'), 3)).toBe(5997);
  });

  it('refuses results beyond safe integers', () => {
    expect(() => multiplyMinor(Number.MAX_SAFE_INTEGER, 2)).toThrow(RangeError);
  });
});

describe('formatMinor', () => {
  it('formats in the currency and locale', () => {
    expect(formatMinor(1250, 'USD', 'en-US')).toBe('$12.50');
    expect(formatMinor(123456789, 'EUR', 'de-DE')).toBe('1.234.567,89\u00a0€');
  });

  it('keeps every digit of a large amount', () => {
    expect(formatMinor(99999999999, 'USD', 'en-US')).toBe('$999,999,999.99');
  });

  it('falls back to the plain amount for an unknown currency code', () => {
    expect(formatMinor(1250, 'NOT-A-CODE', 'en-US')).toBe('12.50 NOT-A-CODE');
  });

  it('formats API decimal strings', () => {
    expect(formatPrice('0.5', 'GBP', 'en-GB')).toBe('£0.50');
  });
});
