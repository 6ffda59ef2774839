/**
 * DefaultAzureCredential, loaded the first time a token is asked for. @azure/identity (with MSAL) is about a
 * tenth of the process's memory and start-up, and a process on connection strings and SQLite (every local
 * run) never signs in: it should not carry it.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';

export function defaultAzureCredential(): TokenCredential {
  let credential: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      credential ??= import('@azure/identity').then(({ DefaultAzureCredential }) => new DefaultAzureCredential());
      return (await credential).getToken(scopes, options);
    },
  };
}
