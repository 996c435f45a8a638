export interface ErrorBody {
  readonly errorCode?: string;
  readonly message?: string;
}

const ERROR_MESSAGE_LIMIT = 256;
const ERROR_CODE_LIMIT = 64;

/**
 * Error bodies come as CloudDC JSON (snake_case or camelCase keys), API Gateway JSON with other key names, a bare string (the documented
 * 429) or an HTML page from a proxy in between; all of them yield at most a short code and message.
 */
export function parseErrorBody(text: string, contentType: string | undefined): ErrorBody {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  const type = (contentType ?? '').toLowerCase();

  if (type.includes('json') || trimmed.startsWith('{') || trimmed.startsWith('"')) {
    const fromJson = errorFromJson(trimmed);
    if (fromJson) return fromJson;
  }
  if (type.includes('html') || /^<(?:!doctype|html|head|body)\b/i.test(trimmed)) {
    return withMessage(htmlSummary(trimmed));
  }
  return withMessage(trimmed);
}

function errorFromJson(text: string): ErrorBody | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed === 'string') return withMessage(parsed);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const o = parsed as Record<string, unknown>;
  // The Python SDK also reads errorCode / errorMsg, a spelling some Huawei services answer with.
  const code = firstText(o['error_code'], o['errorCode'], o['code']);
  const message = firstText(o['error_msg'], o['errorMsg'], o['error_message'], o['message']);
  const result: { errorCode?: string; message?: string } = {};
  if (code !== undefined) {
    const clean = sanitise(code, ERROR_CODE_LIMIT);
    if (clean !== '') result.errorCode = clean;
  }
  if (message !== undefined) Object.assign(result, withMessage(message));
  return result;
}

function firstText(...values: unknown[]): string | undefined {
  for (const v of values) {
    if (typeof v === 'string' && v.trim() !== '') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return undefined;
}

function htmlSummary(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  if (title !== undefined && title.trim() !== '') return decodeEntities(title);
  const body = html.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ');
  return decodeEntities(body);
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  return text.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const cp = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return named[name.toLowerCase()] ?? whole;
  });
}

function withMessage(text: string): ErrorBody {
  const message = sanitise(text, ERROR_MESSAGE_LIMIT);
  return message === '' ? {} : { message };
}

const NEEDS_CLEANING = /[^\x21-\x7e ]| {2}|^ | $/;

/** Strips control characters (no log injection), collapses whitespace and truncates to `limit` characters. */
export function sanitise(text: string, limit: number): string {
  // Printable ASCII without doubled, leading or trailing spaces and within the limit comes out unchanged.
  if (text.length <= limit && !NEEDS_CLEANING.test(text)) return text;
  const clean = text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (clean.length <= limit) return clean;
  // Never cut a surrogate pair in half: a lone surrogate is not valid UTF-8 in a log line.
  return `${clean.slice(0, limit - 1).replace(/[\ud800-\udbff]$/, '')}…`;
}
