import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidAmountError, fromMinorUnits, multiply, toMinorUnits } from '../money.js';

describe('money', () => {
  it('test_decimal_strings_convert_to_minor_units', () => {
    assert.equal(toMinorUnits('12.50'), 1250);
    assert.equal(toMinorUnits('12.5'), 1250);
    assert.equal(toMinorUnits('12'), 1200);
    assert.equal(toMinorUnits('0.07'), 7);
  });

  it('test_minor_units_format_with_two_places', () => {
    assert.equal(fromMinorUnits(1250), '12.50');
    assert.equal(fromMinorUnits(7), '0.07');
    assert.equal(fromMinorUnits(0), '0.00');
    assert.equal(fromMinorUnits(-305), '-3.05');
  });

  it('test_sums_that_floats_get_wrong_are_exact', () => {
    assert.equal(fromMinorUnits(toMinorUnits('0.10') + toMinorUnits('0.20')), '0.30');
    assert.equal(fromMinorUnits(multiply(toMinorUnits('19.99'), 3)), '59.97');
  });

  for (const bad of ['', '1.234', '-1.00', '01.00', '1e3', ' 1.00', 'abc', '1.']) {
    it(`test_rejects_${JSON.stringify(bad)}`, () => {
      assert.throws(() => toMinorUnits(bad), InvalidAmountError);
    });
  }
});
