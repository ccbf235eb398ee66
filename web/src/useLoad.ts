import { useCallback, useEffect, useState, type DependencyList } from 'react';

/**
 * Loads data for a page or panel and keeps its error: `load` runs when `deps` change and on
 * `reload()` (after a change the user made). The previous data stays shown while reloading.
 */
export function useLoad<T>(load: () => Promise<T>, deps: DependencyList) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(load, deps);
  const reload = useCallback(async () => {
    try {
      setData(await run());
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [run]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}
