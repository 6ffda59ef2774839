/**
 * Checkout form rules, checked in the browser before anything is sent. They mirror the order service's
 * (which stays the authority and answers 422 naming the field otherwise).
 */

export interface CheckoutForm {
  readonly email: string;
  readonly name: string;
  readonly phone: string;
  readonly cardNumber: string;
}

export type CheckoutField = keyof CheckoutForm;
export type CheckoutErrors = Partial<Record<CheckoutField, string>>;

// Deliberately loose: one @, something on both sides, a dot in the domain. The server decides the rest.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9][0-9]{6,14}$/;

export function normalizePhone(phone: string): string {
  return phone.replace(/[\s().-]/g, '');
}

export function normalizeCardNumber(card: string): string {
  return card.replace(/[\s-]/g, '');
}

/** The Luhn checksum every card number satisfies; catches most typing mistakes. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** The problem with an email address, or undefined when it looks deliverable. */
export function validateEmail(value: string): string | undefined {
  const email = value.trim();
  if (email === '') return 'Enter your email address.';
  if (email.length > 254 || !EMAIL.test(email)) return 'Enter an email address like name@example.com.';
  return undefined;
}

export function validateCheckout(form: CheckoutForm): CheckoutErrors {
  const errors: CheckoutErrors = {};
  const email = validateEmail(form.email);
  if (email !== undefined) errors.email = email;

  const name = form.name.trim();
  if (name === '') errors.name = 'Enter your full name.';
  else if (name.length > 200) errors.name = 'Your name must be at most 200 characters.';

  const phone = normalizePhone(form.phone);
  if (phone !== '' && !E164.test(phone)) {
    errors.phone = 'Enter the phone number with its country code, like +447700900123, or leave it empty.';
  }

  const card = normalizeCardNumber(form.cardNumber);
  if (card === '') errors.cardNumber = 'Enter your card number.';
  else if (!/^[0-9]+$/.test(card)) errors.cardNumber = 'A card number has digits only.';
  else if (card.length < 12 || card.length > 19) errors.cardNumber = 'A card number has 12 to 19 digits.';
  else if (!passesLuhn(card)) errors.cardNumber = 'That card number is not valid; check it for typing mistakes.';
  return errors;
}

/**
 * Maps a server field path from a problem document (`customer.email`, `paymentMethod.token`) onto the
 * form field it belongs to; undefined for paths that are not form fields (e.g. `items[0].quantity`).
 */
export function formFieldFor(path: string): CheckoutField | undefined {
  switch (path) {
    case 'customer.email':
      return 'email';
    case 'customer.name':
      return 'name';
    case 'customer.phone':
      return 'phone';
    case 'paymentMethod':
    case 'paymentMethod.token':
    case 'paymentMethod.type':
      return 'cardNumber';
    default:
      return undefined;
  }
}

/** `items[1].quantity: must be at most 1000` → `Quantity of "Blue mug": must be at most 1000`. */
export function describeItemIssue(path: string, message: string, lines: readonly { readonly name: string }[]): string {
  // eslint-disable-next-line security/detect-unsafe-regex -- anchored, no nested repetition: linear time
  const match = /^items\[(\d+)\](?:\.(\w+))?$/.exec(path);
  if (match === null) return `${path}: ${message}`;
  const name = lines[Number(match[1])]?.name ?? `item ${Number(match[1]) + 1}`;
  const what = match[2] === 'quantity' ? 'Quantity of' : match[2] === 'productId' ? 'Product' : 'Item';
  return `${what} "${name}": ${message}`;
}
