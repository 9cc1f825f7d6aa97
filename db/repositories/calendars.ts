/**
 * Published holiday calendars: one row per publication (a year's State Council
 * notice, or a correction of it), numbered by a global version. The latest
 * publication of a year replaces that year's data entirely.
 */
import type { Pool } from 'pg';
import type { PublishedYear } from '../../domain/statutory-calendar';
import { withTransaction } from '../pool';

export interface PublishInput {
  year: number;
  source: string;
  holidays: Record<string, string>;
  workdays: Record<string, string>;
  publishedBy: string;
}

export interface PublishedCalendars {
  /** the latest version published (0: none yet) */
  version: number;
  /** the latest publication of each year, by year */
  years: PublishedYear[];
}

/** An arbitrary but fixed lock key: publications are numbered one at a time. */
const PUBLISH_LOCK = 0x63616c;

function toYear(r: Record<string, any>): PublishedYear {
  return {
    year: r.year, version: r.version, source: r.source, holidays: r.holidays, workdays: r.workdays,
    publishedBy: r.published_by, publishedAt: r.published_at,
  };
}

export async function publishCalendarYear(pool: Pool, input: PublishInput): Promise<PublishedYear> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [PUBLISH_LOCK]);
    const { rows } = await client.query(
      `INSERT INTO holiday_calendar_versions (version, year, source, holidays, workdays, published_by)
       SELECT coalesce(max(version), 0) + 1, $1, $2, $3, $4, $5 FROM holiday_calendar_versions
       RETURNING *`,
      [input.year, input.source, JSON.stringify(input.holidays), JSON.stringify(input.workdays), input.publishedBy],
    );
    return toYear(rows[0]);
  });
}

export async function publishedCalendars(pool: Pool): Promise<PublishedCalendars> {
  const { rows } = await pool.query(
    `SELECT DISTINCT ON (year) * FROM holiday_calendar_versions ORDER BY year, version DESC`,
  );
  const years = rows.map(toYear);
  return { version: Math.max(0, ...years.map((y) => y.version)), years };
}
