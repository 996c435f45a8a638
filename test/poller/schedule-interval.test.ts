import { describe, expect, it } from 'vitest';
import { scheduleIntervalSeconds } from '../../src/poller/schedule-interval.js';

describe('scheduleIntervalSeconds', () => {
  it.each([
    ['*/5 * * * * *', 5],
    ['*/30 * * * * *', 30],
    ['* * * * * *', 1],
    ['*/2 * * * *', 120],
    ['*/10 * * * *', 600],
    ['0 */2 * * *', 7200],
  ])('%s → %d s', (expression, seconds) => {
    expect(scheduleIntervalSeconds(expression)).toBe(seconds);
  });

  it('takes the longest gap of an irregular schedule, not the next one', () => {
    // 09:00 → 17:00 is 8 h, 17:00 → 09:00 is 16 h.
    expect(scheduleIntervalSeconds('0 9,17 * * *')).toBe(16 * 3600);
    expect(scheduleIntervalSeconds('0,10 * * * * *')).toBe(50);
  });
});
