/**
 * The last customer details used at checkout (never the card number), remembered so checkout and order
 * history can be pre-filled.
 */
export const CUSTOMER_STORAGE_KEY = 'contoso-shop.customer';

export interface RememberedCustomer {
  readonly email: string;
  readonly name: string;
  readonly phone: string;
}

export function rememberedCustomer(): RememberedCustomer | undefined {
  try {
    const raw: unknown = JSON.parse(window.localStorage.getItem(CUSTOMER_STORAGE_KEY) ?? 'null');
    if (typeof raw !== 'object' || raw === null) return undefined;
    const record = raw as Record<string, unknown>;
    const field = (key: string) => (typeof record[key] === 'string' ? record[key] : '');
    return { email: field('email'), name: field('name'), phone: field('phone') };
  } catch {
    return undefined;
  }
}

export function rememberCustomer(customer: RememberedCustomer): void {
  try {
    window.localStorage.setItem(CUSTOMER_STORAGE_KEY, JSON.stringify(customer));
  } catch {
    // Storage disabled: the details just will not be pre-filled next time.
  }
}
