import { useCallback, useEffect, useState, type DependencyList } from 'react';

export type Load<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'ready'; readonly data: T }
  | { readonly state: 'failed'; readonly error: unknown };

/**
 * Runs `loader` when `deps` change (aborting the previous run) and on `reload()`. Results of a superseded
 * run are dropped, so a slow answer never overwrites a newer one.
 */
export function useLoad<T>(loader: (signal: AbortSignal) => Promise<T>, deps: DependencyList): [Load<T>, () => void] {
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  // The caller's deps describe the loader, exactly as they would for useCallback.
  const run = useCallback(loader, deps);

  useEffect(() => {
    const controller = new AbortController();
    setLoad({ state: 'loading' });
    run(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setLoad({ state: 'ready', data });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setLoad({ state: 'failed', error });
      },
    );
    return () => controller.abort();
  }, [run, attempt]);

  const reload = useCallback(() => setAttempt((value) => value + 1), []);
  return [load, reload];
}
