import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../../src/runtime/node-flags.js';

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');

describe('V8 flags of the shipped entry points', () => {
  it('are the same in the bin shebang, the Docker image and npm start', () => {
    const flags = NODE_FLAGS.join(' ');
    expect(read('src/main.ts').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
    expect(read('Dockerfile')).toContain(`ENTRYPOINT ["node", ${NODE_FLAGS.map((f) => JSON.stringify(f)).join(', ')}, "dist/src/main.js"]`);
    expect(JSON.parse(read('package.json')).scripts.start).toBe(`node ${flags} dist/src/main.js --demo`);
  });
});
