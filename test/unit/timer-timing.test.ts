/** The next wake's timer: timed from the latest reading of the time the item has. */
import { CLOCK_MAX_LEAD_MS, latestReading, timerMs } from '../../workflows/timer-timing';

const WAKE = 1_000_000;

test('without a later reading, the timer runs until the wake by the workflow clock, at least 1 ms', () => {
  expect(timerMs(WAKE, WAKE - 5_000, WAKE - 5_000)).toBe(5_000);
  expect(timerMs(WAKE, WAKE - 5_000, WAKE - 9_000)).toBe(5_000); // an older reading changes nothing
  expect(timerMs(WAKE, WAKE + 10, WAKE + 10)).toBe(1);
});

test('a later reading (the save ended after the task started) shortens it by as much', () => {
  expect(timerMs(WAKE, WAKE - 5_000, WAKE - 4_700)).toBe(4_700);
});

test('never shorter than 100 ms when timed from a reading, nor longer than by the clock', () => {
  // the save ended 20 ms before the wake: a 20 ms timer could expire before the server writes it
  expect(timerMs(WAKE, WAKE - 5_000, WAKE - 20)).toBe(100);
  expect(timerMs(WAKE, WAKE - 5_000, WAKE + 300)).toBe(100);
  // by the clock the wake is 60 ms away: not pushed out to 100
  expect(timerMs(WAKE, WAKE - 60, WAKE - 10)).toBe(60);
});

test('the worker clock as the task runs is the latest reading when it is later and believable', () => {
  const now = WAKE - 5_000;
  // the task ran 300 ms after its start, 100 ms after its save ended
  expect(latestReading(now, now + 200, now + 300)).toBe(now + 300);
  // a reading already later than the worker's clock stays
  expect(latestReading(now, now + 200, now + 150)).toBe(now + 200);
  // a worker clock behind the workflow's, or too far ahead of it, is not believed
  expect(latestReading(now, now, now - 50)).toBe(now);
  expect(latestReading(now, now + 200, now + CLOCK_MAX_LEAD_MS + 1)).toBe(now + 200);
  expect(latestReading(now, now, now + CLOCK_MAX_LEAD_MS)).toBe(now + CLOCK_MAX_LEAD_MS);
  // so the timer is shortened by the time the task waited
  expect(timerMs(WAKE, now, latestReading(now, now, now + 300))).toBe(4_700);
});
