/**
 * The outcome of every fallible parse or check: the value, or every problem found (each a line for the user, or a
 * structured problem that becomes one). One shape, so a caller never guesses the failure's name.
 */
export type Result<T, P = string> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: P[] };
