import { createContext, useContext } from 'react';
import type { ShopApi } from './index';

/** The API clients of the running app; provided by <ApiProvider> (ApiProvider.tsx). */
export const ApiContext = createContext<ShopApi | undefined>(undefined);

export function useApi(): ShopApi {
  const api = useContext(ApiContext);
  // eslint-disable-next-line security/detect-possible-timing-attacks -- compares with undefined, not a secret
  if (api === undefined) throw new Error('useApi needs an <ApiProvider> above it');
  return api;
}
