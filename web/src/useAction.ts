import { useCallback, useState } from 'react';

/**
 * The busy flag and error of one user action (a form submit, a button), shared by every page:
 * `act` clears the previous error, marks the action busy, runs it and keeps its error to show.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, act: run };
}
