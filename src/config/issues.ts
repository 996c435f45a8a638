import type { z } from 'zod';
import { problem, type Path, type Problem } from './problems.js';
import type { Result } from '../domain/result.js';

/**
 * Turns zod issues into problems. Every message here is written from the issue's kind and limits, never from
 * the input: the input may be a secret in the wrong place or of the wrong type.
 */

/** The kind of a value, for "expected X, got Y"; never the value itself. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'binary data';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

function tooSmall(iss: z.core.$ZodRawIssue<z.core.$ZodIssueTooSmall>): string {
  const min = Number(iss.minimum);
  if (iss.origin === 'string') return min === 1 ? 'must not be empty' : `must be at least ${min} characters long`;
  if (iss.origin === 'array') return `must have at least ${min} item${min === 1 ? '' : 's'}`;
  return iss.inclusive === false ? `must be greater than ${min}` : `must be at least ${min}`;
}

function tooBig(iss: z.core.$ZodRawIssue<z.core.$ZodIssueTooBig>): string {
  const max = Number(iss.maximum);
  if (iss.origin === 'string') return `must be at most ${max} characters long`;
  if (iss.origin === 'array') return `must have at most ${max} items`;
  return iss.inclusive === false ? `must be less than ${max}` : `must be at most ${max}`;
}

/** The parse-level error map: a message for every issue that no schema gave one. */
export const errorMap: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'required';
      return `expected ${EXPECTED[iss.expected] ?? iss.expected}, got ${describeValue(iss.input)}`;
    case 'too_small':
      return tooSmall(iss);
    case 'too_big':
      return tooBig(iss);
    case 'invalid_format':
      return iss.pattern === undefined ? `must be a valid ${iss.format}` : `must match ${iss.pattern}`;
    case 'invalid_value':
      return `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return iss.keys.map(() => 'unknown key').join('\n');
    default:
      return 'invalid value';
  }
};

function toProblems(issue: z.core.$ZodIssue, base: Path): Problem[] {
  const path = [...base, ...issue.path.map((seg) => (typeof seg === 'symbol' ? String(seg) : seg))];
  switch (issue.code) {
    case 'unrecognized_keys': {
      // strict() in fields.ts packs one line per key, so that each key gets its own suggestion and path.
      const lines = issue.message.split('\n');
      return issue.keys.map((key, i) => problem([...path, key], lines[i] ?? 'unknown key'));
    }
    case 'invalid_key':
      return [problem(path, issue.issues.map((inner) => inner.message).join('; '))];
    default:
      return [problem(path, issue.message)];
  }
}

export type Parsed<T> = Result<T, Problem>;

/** Validates one part of the tree, reporting problems at their full path from the document root. */
export function parseAt<S extends z.ZodType>(schema: S, value: unknown, path: Path): Parsed<z.output<S>> {
  const result = schema.safeParse(value, { error: errorMap });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: result.error.issues.flatMap((issue) => toProblems(issue, path)) };
}
