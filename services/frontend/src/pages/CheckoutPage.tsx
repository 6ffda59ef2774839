/**
 * Checkout: customer details and a card, checked in the browser first and then by the order service, whose
 * 422 answers are mapped back onto the fields they name. Each distinct submission gets one Idempotency-Key,
 * reused when the same details are sent again after a lost answer, so a retry never places a second order.
 */
import { useEffect, useId, useRef, useState, type InputHTMLAttributes, type ReactNode, type SubmitEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useApi } from '../api/context';
import type { OrderCreate } from '../api/orders';
import { ApiError, ITEM_PROBLEMS } from '../api/problem';
import { useCart } from '../cart/context';
import { rememberCustomer, rememberedCustomer } from '../cart/customer';
import { Empty, ErrorPanel } from '../components/Feedback';
import {
  describeItemIssue,
  formFieldFor,
  normalizeCardNumber,
  normalizePhone,
  validateCheckout,
  type CheckoutErrors,
  type CheckoutField,
  type CheckoutForm,
} from '../domain/validation';
import { CartSummary } from './CartPage';

const LABELS: Readonly<Record<CheckoutField, string>> = {
  email: 'Email address',
  name: 'Full name',
  phone: 'Phone number (optional)',
  cardNumber: 'Card number',
};
const ORDER: readonly CheckoutField[] = ['email', 'name', 'phone', 'cardNumber'];

function newKey(): string {
  return crypto.randomUUID();
}

export function CheckoutPage() {
  const api = useApi();
  const navigate = useNavigate();
  const { cart, clear } = useCart();
  const [form, setForm] = useState<CheckoutForm>(() => {
    const known = rememberedCustomer();
    return { email: known?.email ?? '', name: known?.name ?? '', phone: known?.phone ?? '', cardNumber: '' };
  });
  const [errors, setErrors] = useState<CheckoutErrors>({});
  const [otherErrors, setOtherErrors] = useState<readonly string[]>([]);
  const [failure, setFailure] = useState<unknown>();
  const [submitting, setSubmitting] = useState(false);
  const attempt = useRef<{ payload: string; key: string } | undefined>(undefined);
  const summary = useRef<HTMLDivElement>(null);
  const [focusSummary, setFocusSummary] = useState(0);
  const baseId = useId();
  const ids = Object.fromEntries(ORDER.map((field) => [field, `${baseId}-${field}`])) as Record<CheckoutField, string>;

  useEffect(() => {
    if (focusSummary > 0) summary.current?.focus();
  }, [focusSummary]);

  if (cart.lines.length === 0) {
    return (
      <>
        <h1>Checkout</h1>
        <Empty title="Your cart is empty">
          <p>
            <Link to="/">Browse the catalog</Link> and add something first.
          </p>
        </Empty>
      </>
    );
  }

  function change(field: CheckoutField, value: string): void {
    setForm((current) => ({ ...current, [field]: value }));
    if (errors[field] !== undefined) setErrors((current) => ({ ...current, [field]: undefined }));
  }

  /** What a CheckoutInput of `field` shows and changes: its id, label, error and value. */
  function inputOf(field: CheckoutField) {
    return {
      id: ids[field],
      label: LABELS[field],
      error: errors[field],
      value: form[field],
      onValue: (value: string) => {
        change(field, value);
      },
    };
  }

  function fail(fieldErrors: CheckoutErrors, others: readonly string[] = []): void {
    setErrors(fieldErrors);
    setOtherErrors(others);
    setFocusSummary((count) => count + 1);
  }

  function submit(event: SubmitEvent<HTMLFormElement>): void {
    event.preventDefault();
    void placeOrder();
  }

  async function placeOrder(): Promise<void> {
    if (submitting) return;
    setFailure(undefined);
    const found = validateCheckout(form);
    if (Object.keys(found).length > 0) {
      fail(found);
      return;
    }
    setErrors({});
    setOtherErrors([]);
    const phone = normalizePhone(form.phone);
    const order: OrderCreate = {
      customer: { email: form.email.trim(), name: form.name.trim(), ...(phone !== '' ? { phone } : {}) },
      items: cart.lines.map((line) => ({ productId: line.productId, quantity: line.quantity })),
      paymentMethod: { type: 'card', token: normalizeCardNumber(form.cardNumber) },
    };
    const payload = JSON.stringify(order);
    if (attempt.current?.payload !== payload) attempt.current = { payload, key: newKey() };
    setSubmitting(true);
    try {
      const placed = await api.orders.createOrder(order, attempt.current.key);
      rememberCustomer({ email: order.customer.email, name: order.customer.name, phone });
      attempt.current = undefined;
      clear();
      void navigate(`/orders/${encodeURIComponent(placed.id)}`, { state: { placed: true } });
    } catch (error) {
      setSubmitting(false);
      const aboutAnItem = error instanceof ApiError && error.slug !== undefined && ITEM_PROBLEMS.has(error.slug);
      if (error instanceof ApiError && error.fieldErrors.length > 0 && !aboutAnItem) {
        const mapped: CheckoutErrors = {};
        const others: string[] = [];
        for (const issue of error.fieldErrors) {
          const field = formFieldFor(issue.field);
          if (field !== undefined) mapped[field] ??= `${LABELS[field]}: ${issue.message}`;
          else others.push(describeItemIssue(issue.field, issue.message, cart.lines));
        }
        fail(mapped, others);
        return;
      }
      setFailure(error);
    }
  }

  const listed = ORDER.filter((field) => errors[field] !== undefined);
  const hasSummary = listed.length > 0 || otherErrors.length > 0;

  return (
    <>
      <h1>Checkout</h1>
      <div className="checkout">
        <form
          className="checkout__form"
          onSubmit={submit}
          noValidate
          aria-describedby={hasSummary ? `${baseId}-summary` : undefined}
        >
          {hasSummary && (
            <div className="notice notice--error" role="alert" tabIndex={-1} ref={summary} id={`${baseId}-summary`}>
              <h2 className="notice__title">Please correct the following</h2>
              <ul>
                {listed.map((field) => (
                  <li key={field}>
                    <a href={`#${ids[field]}`}>{errors[field]}</a>
                  </li>
                ))}
                {otherErrors.map((text) => (
                  <li key={text}>{text}</li>
                ))}
              </ul>
              {otherErrors.length > 0 && (
                <p>
                  <Link to="/cart">Change your cart</Link>
                </p>
              )}
            </div>
          )}
          {failure !== undefined && (
            <ErrorPanel
              error={failure}
              focus
              nameOf={(productId) => cart.lines.find((line) => line.productId === productId)?.name}
              onRetry={failure instanceof ApiError && failure.retryable ? () => void placeOrder() : undefined}
              retryLabel="Place order again"
            >
              {failure instanceof ApiError && failure.slug !== undefined && ITEM_PROBLEMS.has(failure.slug) && (
                <p>
                  <Link to="/cart">Change your cart</Link>
                </p>
              )}
            </ErrorPanel>
          )}
          <fieldset>
            <legend>Your details</legend>
            <CheckoutInput {...inputOf('email')} type="email" autoComplete="email" required />
            <CheckoutInput {...inputOf('name')} autoComplete="name" maxLength={200} required />
            <CheckoutInput
              {...inputOf('phone')}
              hint="With the country code, for a text when your order ships, e.g. +447700900123."
              type="tel"
              autoComplete="tel"
            />
          </fieldset>
          <fieldset>
            <legend>Payment</legend>
            <CheckoutInput
              {...inputOf('cardNumber')}
              hint="Test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined, 4000 0000 0000 9995 has insufficient funds."
              inputMode="numeric"
              autoComplete="cc-number"
              maxLength={23}
              required
            />
          </fieldset>
          <button
            type="submit"
            className="button button--primary button--wide"
            disabled={submitting}
            aria-busy={submitting}
          >
            {submitting ? 'Placing your order…' : 'Place order'}
          </button>
        </form>
        <aside className="checkout__summary" aria-labelledby={`${baseId}-summary-title`}>
          <h2 id={`${baseId}-summary-title`}>Order summary</h2>
          <ul className="summary-lines">
            {cart.lines.map((line) => (
              <li key={line.productId}>
                {line.quantity} × {line.name}
              </li>
            ))}
          </ul>
          <CartSummary lines={cart.lines} />
          <p>
            <Link to="/cart">Change cart</Link>
          </p>
        </aside>
      </div>
    </>
  );
}

function describedBy(id: string, error: string | undefined, hasHint = false) {
  const parts = [hasHint ? `${id}-hint` : undefined, error !== undefined ? `${id}-error` : undefined].filter(Boolean);
  return { 'aria-invalid': error !== undefined, 'aria-describedby': parts.length > 0 ? parts.join(' ') : undefined };
}

/** A text input in its Field: described by the field's hint and error, if any; `onValue` takes what was typed. */
function CheckoutInput({
  id,
  label,
  error,
  hint,
  value,
  onValue,
  ...input
}: {
  id: string;
  label: string;
  error: string | undefined;
  hint?: string;
  value: string;
  onValue: (value: string) => void;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'>) {
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      <input
        id={id}
        {...input}
        value={value}
        onChange={(event) => {
          onValue(event.target.value);
        }}
        {...describedBy(id, error, hint !== undefined)}
      />
    </Field>
  );
}

function Field({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  error: string | undefined;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className={error !== undefined ? 'field field--invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {hint !== undefined && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error !== undefined && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
      {children}
    </div>
  );
}
