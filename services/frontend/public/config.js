// Defaults for `npm run dev`. The container entrypoint and `npm run serve` replace this file with one written
// from their settings, so a build never carries environment-specific addresses.
window.__SHOP_CONFIG__ = {
  productApi: 'http://127.0.0.1:8001',
  orderApi: 'http://127.0.0.1:8002',
};
