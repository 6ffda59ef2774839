/**
 * Where the APIs are: read at run time from `window.__SHOP_CONFIG__`, which `/config.js` sets (written by the
 * container entrypoint or the local serve script from the environment), so one build serves every
 * environment.
 */

export interface ShopConfig {
  readonly productApi: string;
  readonly orderApi: string;
}

declare global {
  interface Window {
    __SHOP_CONFIG__?: Partial<Record<keyof ShopConfig, unknown>>;
  }
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function baseUrl(raw: unknown, key: keyof ShopConfig): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ConfigError(`${key} is missing from /config.js (window.__SHOP_CONFIG__.${key})`);
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`${key} in /config.js is not an absolute URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${key} in /config.js must be an http(s) URL: "${raw}"`);
  }
  return url.href.replace(/\/+$/, '');
}

export function parseConfig(raw: unknown): ShopConfig {
  if (typeof raw !== 'object' || raw === null) {
    throw new ConfigError('window.__SHOP_CONFIG__ is not set: /config.js did not load');
  }
  const record = raw as Record<string, unknown>;
  return { productApi: baseUrl(record['productApi'], 'productApi'), orderApi: baseUrl(record['orderApi'], 'orderApi') };
}

export function loadConfig(): ShopConfig {
  return parseConfig(window.__SHOP_CONFIG__);
}
