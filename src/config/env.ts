/** An empty variable is treated as unset, as a shell `export X=` usually means "no value". */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}
