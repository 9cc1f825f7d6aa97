/** The next wake's timer: timed from the latest reading of the time the item has. */
import { timerMs } from '../../workflows/timer-timing';

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
