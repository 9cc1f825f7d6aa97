/**
 * The holiday calendar new items take: the package's data, the years an admin
 * published, and the operator's file. Read from PostgreSQL at most once a
 * minute (every API instance sees a publication within that minute), at once
 * after a publication through this instance; a failed refresh keeps serving
 * the last calendar read.
 */
import type { Pool } from 'pg';
import { publishedCalendars, type PublishedCalendars } from '../db/repositories/calendars';
import { calendarForNewItem, type HolidaySupplement, type PublishedYear } from '../domain/statutory-calendar';
import type { HolidayCalendar } from '../domain/types';

export interface CalendarSource {
  /** the calendar a new item accepted at `nowMs` starts with (or would, with `years` published instead) */
  forNewItem(nowMs: number, years?: PublishedYear[]): Promise<HolidayCalendar>;
  /** what is published, as last read */
  published(): Promise<PublishedCalendars>;
  /** forget the cached read (after a publication) */
  invalidate(): void;
}

const REFRESH_MS = 60_000;

export function createCalendarSource(pool: Pool, supplement?: HolidaySupplement, now: () => number = Date.now): CalendarSource {
  let cached: { at: number; value: PublishedCalendars } | undefined;
  let pending: Promise<PublishedCalendars> | undefined;

  async function published(): Promise<PublishedCalendars> {
    if (cached && now() - cached.at < REFRESH_MS) return cached.value;
    pending ??= publishedCalendars(pool)
      .then((value) => {
        cached = { at: now(), value };
        return value;
      })
      .catch((err: unknown) => {
        // stale beats nothing: the last calendar read stays in use until the database answers again
        if (cached) return cached.value;
        throw err;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  }

  // Items started within a year from the same publications take the same calendar: built once, not per item.
  let built: { year: number; years: PublishedYear[]; value: HolidayCalendar } | undefined;
  function forNewItem(nowMs: number, years: PublishedYear[]): HolidayCalendar {
    // calendarForNewItem depends on nowMs through its UTC year only
    const year = new Date(nowMs).getUTCFullYear();
    if (built?.year !== year || built.years !== years) built = { year, years, value: calendarForNewItem(nowMs, supplement, years) };
    return built.value;
  }

  return {
    forNewItem: async (nowMs, years) => forNewItem(nowMs, years ?? (await published()).years),
    published,
    invalidate: () => {
      cached = undefined;
    },
  };
}
