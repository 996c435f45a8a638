import { describe, expect, it } from 'vitest';
import { unroutableIdReason } from '../../src/domain/path-id.js';

describe('unroutableIdReason', () => {
  it('names ids holding "/" and the dot segments; every other character arrives intact', () => {
    for (const id of ['a/b', '/', 'rack 7/', '.', '..']) expect(unroutableIdReason(id)).toBeDefined();
    for (const id of ['a%2Fb', '...', '.a', 'a?b#c', 'ü 😀', '\\', '%', '{id}', "!'()*"]) expect(unroutableIdReason(id)).toBeUndefined();
  });
});
