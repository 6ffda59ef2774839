import { useCallback, useEffect, useState, type DependencyList } from 'react';

export type Load<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'ready'; readonly data: T }
  | { readonly state: 'failed'; readonly error: unknown };

const LOADING = { state: 'loading' } as const;

/**
 * Runs `loader` when `deps` change (aborting the previous run) and on `reload()`. Results of a superseded
 * run are dropped, so a slow answer never overwrites a newer one.
 */
export function useLoad<T>(loader: (signal: AbortSignal) => Promise<T>, deps: DependencyList): [Load<T>, () => void] {
  const [attempt, setAttempt] = useState(0);
  // The caller's deps describe the loader, exactly as they would for useCallback; eslint checks them at each
  // call site (react-hooks/exhaustive-deps knows useLoad through `additionalHooks` in eslint.config.mjs).
  // eslint-disable-next-line react-hooks/use-memo, react-hooks/exhaustive-deps -- deps are forwarded, see above
  const run = useCallback(loader, deps);
  // The outcome of a run, with the run it belongs to: until the current run answers, the load reads `loading`.
  const [outcome, setOutcome] = useState<{ run: typeof run; attempt: number; load: Load<T> }>();

  useEffect(() => {
    const controller = new AbortController();
    run(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setOutcome({ run, attempt, load: { state: 'ready', data } });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setOutcome({ run, attempt, load: { state: 'failed', error } });
      },
    );
    return () => {
      controller.abort();
    };
  }, [run, attempt]);

  const reload = useCallback(() => {
    setAttempt((value) => value + 1);
  }, []);
  const load = outcome?.run === run && outcome.attempt === attempt ? outcome.load : LOADING;
  return [load, reload];
}
