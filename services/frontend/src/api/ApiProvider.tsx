import type { ReactNode } from 'react';
import { ApiContext } from './context';
import type { ShopApi } from './index';

export function ApiProvider({ api, children }: { api: ShopApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}
