import { describe, expect, it } from 'vitest';
import {
  describeItemIssue,
  formFieldFor,
  passesLuhn,
  validateCheckout,
  validateEmail,
  type CheckoutForm,
} from './validation';

const valid: CheckoutForm = {
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  phone: '',
  cardNumber: '4242 4242 4242 4242',
};

describe('validateCheckout', () => {
  it('accepts a complete form', () => {
    expect(validateCheckout(valid)).toEqual({});
  });

  it('accepts every test card', () => {
    for (const card of ['4242424242424242', '4000000000000002', '4000-0000-0000-9995']) {
      expect(validateCheckout({ ...valid, cardNumber: card })).toEqual({});
    }
  });

  it('names every missing required field', () => {
    expect(Object.keys(validateCheckout({ email: ' ', name: '', phone: '', cardNumber: '' })).sort()).toEqual([
      'cardNumber',
      'email',
      'name',
    ]);
  });

  it.each(['ada', 'ada@', '@example.com', 'ada@example', 'a da@example.com'])('refuses the email %j', (email) => {
    expect(validateCheckout({ ...valid, email }).email).toMatch(/name@example.com/);
  });

  it('accepts a phone with spaces and refuses one without a country code', () => {
    expect(validateCheckout({ ...valid, phone: '+44 7700 900123' })).toEqual({});
    expect(validateCheckout({ ...valid, phone: '07700 900123' }).phone).toMatch(/country code/);
  });

  it('catches a mistyped card number', () => {
    expect(validateCheckout({ ...valid, cardNumber: '4242424242424241' }).cardNumber).toMatch(/typing mistakes/);
    expect(validateCheckout({ ...valid, cardNumber: '4242abcd' }).cardNumber).toMatch(/digits only/);
    expect(validateCheckout({ ...valid, cardNumber: '4242' }).cardNumber).toMatch(/12 to 19 digits/);
  });

  it('refuses a name over 200 characters', () => {
    expect(validateCheckout({ ...valid, name: 'x'.repeat(201) }).name).toMatch(/200/);
  });
});

describe('validateEmail', () => {
  it('asks for a missing address', () => {
    expect(validateEmail('')).toBe('Enter your email address.');
    expect(validateEmail('ada@example.com')).toBeUndefined();
  });
});

describe('passesLuhn', () => {
  it('checks the Luhn sum', () => {
    expect(passesLuhn('79927398713')).toBe(true);
    expect(passesLuhn('79927398710')).toBe(false);
  });
});

describe('formFieldFor', () => {
  it('maps server field paths onto form fields', () => {
    expect(formFieldFor('customer.email')).toBe('email');
    expect(formFieldFor('customer.phone')).toBe('phone');
    expect(formFieldFor('paymentMethod.token')).toBe('cardNumber');
    expect(formFieldFor('items[0].quantity')).toBeUndefined();
  });
});

describe('describeItemIssue', () => {
  it('names the cart line an item path points to', () => {
    expect(describeItemIssue('items[1].productId', 'unknown', [{ name: 'A' }, { name: 'B' }])).toBe(
      'Product "B": unknown',
    );
    expect(describeItemIssue('customer.address', 'odd', [])).toBe('customer.address: odd');
  });
});
