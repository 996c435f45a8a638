/**
 * The INI dialect of the SDKs' credentials file (gopkg.in/ini.v1 with its defaults, which the Go SDK uses):
 * `[section]` headers, `key = value` or `key: value`, whole-line comments starting with `#` or `;`, an unquoted
 * value cut at the first `#` or `;`, surrounding quotes (`"`, `'` or a backtick) removed, names case-sensitive,
 * keys before any header in section DEFAULT, a repeated section merged and a repeated key's last value kept.
 * A line that is none of these is an error, as it is for the SDK.
 */

export type IniFile = ReadonlyMap<string, ReadonlyMap<string, string>>;
export type IniResult = { readonly ok: true; readonly value: IniFile } | { readonly ok: false; readonly line: number; readonly message: string };

const QUOTES = ['"', "'", '`'];

function unquote(raw: string): string {
  const value = raw.trim();
  for (const q of QUOTES) {
    if (value.length >= 2 && value.startsWith(q)) {
      const end = value.indexOf(q, 1);
      if (end > 0) return value.slice(1, end);
    }
  }
  const comment = value.search(/[#;]/);
  return (comment >= 0 ? value.slice(0, comment) : value).trim();
}

export function parseIni(text: string): IniResult {
  const sections = new Map<string, Map<string, string>>();
  let current = 'DEFAULT';
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      const end = line.indexOf(']');
      if (end < 0) return { ok: false, line: i + 1, message: 'unclosed section header' };
      current = line.slice(1, end).trim();
      if (current === '') return { ok: false, line: i + 1, message: 'empty section name' };
      continue;
    }
    const sep = line.search(/[=:]/);
    if (sep < 0) return { ok: false, line: i + 1, message: 'expected key = value' };
    const key = line.slice(0, sep).trim();
    if (key === '') return { ok: false, line: i + 1, message: 'empty key name' };
    let section = sections.get(current);
    if (section === undefined) sections.set(current, (section = new Map<string, string>()));
    section.set(key, unquote(line.slice(sep + 1)));
  }
  return { ok: true, value: sections };
}
