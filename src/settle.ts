/**
 * A promise of what a synchronous function returns, a throw becoming a rejection, as in an async
 * function. For implementations of async interfaces that have nothing to await (a scripted prompter,
 * an event sink that writes synchronously): a caller's `.catch` must still see their errors, and an
 * `async` function without `await` is what the lint rule require-await (rightly) reports.
 */
export function settle<T>(f: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(f());
  });
}
