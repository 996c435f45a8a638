/**
 * The placeholders of the generated templates: `%(name)s`, as in the jsonnet mixins. They never occur in
 * PromQL, Go templates ({{ $labels.x }}) or Grafana variables ($var, ${var}), so the chart can fill them in
 * with plain string replacement, exactly as `fill` does here.
 */
const PLACEHOLDER = /%\((\w+)\)s/g;

export function fill(text: string, params: Record<string, string | number>): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for %(${name})s in: ${text}`);
    return String(value);
  });
}

export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** `sel, extra1, extra2`: the matchers every rule selector carries. */
export function matcherList(selector: string, extra: readonly string[]): string {
  return [selector, ...extra].filter((m) => m !== '').join(', ');
}
