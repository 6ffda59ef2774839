import { createContext, useContext, type ReactNode } from 'react';
import type { ShopApi } from './index';

const ApiContext = createContext<ShopApi | undefined>(undefined);

export function ApiProvider({ api, children }: { api: ShopApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): ShopApi {
  const api = useContext(ApiContext);
  if (api === undefined) throw new Error('useApi needs an <ApiProvider> above it');
  return api;
}
