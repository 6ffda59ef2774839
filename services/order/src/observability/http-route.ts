/**
 * The OpenAPI route template (`/orders/{id}`) a response answered, as the request middleware found it, for
 * the HTTP server span's name and `http.route`: the same template the RED metrics use, where Express alone
 * would give its own syntax (`/orders/:id`).
 */
const routes = new WeakMap<object, string>();

export function recordRoute(response: object, template: string): void {
  routes.set(response, template);
}

export function recordedRoute(response: object): string | undefined {
  return routes.get(response);
}
