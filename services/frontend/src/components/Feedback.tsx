import { useEffect, useRef, type ReactNode } from 'react';
import { adviceFor } from '../api/problem';

/** A failed call explained: what happened and what the person can do, with a retry when it makes sense. */
export function ErrorPanel({
  error,
  onRetry,
  retryLabel = 'Try again',
  children,
  focus = false,
  nameOf,
}: {
  error: unknown;
  /** Product names for product ids the error mentions. */
  nameOf?: (productId: string) => string | undefined;
  onRetry?: (() => void) | undefined;
  retryLabel?: string;
  children?: ReactNode;
  /** Move keyboard focus here when shown (after a form submission). */
  focus?: boolean;
}) {
  const advice = adviceFor(error, nameOf);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focus) ref.current?.focus();
  }, [focus, error]);
  return (
    <div className="notice notice--error" role="alert" tabIndex={-1} ref={ref}>
      <h2 className="notice__title">{advice.headline}</h2>
      {advice.explanation !== '' && <p>{advice.explanation}</p>}
      <p>{advice.action}</p>
      {children}
      {onRetry !== undefined && (
        <button type="button" className="button" onClick={onRetry}>
          {retryLabel}
        </button>
      )}
    </div>
  );
}

export function Loading({ label }: { label: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h2>{title}</h2>
      {children}
    </div>
  );
}
