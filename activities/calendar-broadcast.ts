/**
 * Carries the latest holiday calendar to running items, a page of them at a
 * time (ids in order, so a retried page resumes where it stood). Each item
 * gets a `calendarUpdated` signal; the item itself ignores a version it
 * already holds, so a page sent twice changes nothing twice.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { publishedCalendars } from '../db/repositories/calendars';
import { calendarForNewItem, type HolidaySupplement } from '../domain/statutory-calendar';
import { calendarUpdatedSignal, itemWorkflowId } from '../workflows/messages';

export interface CalendarPage {
  /** the last item id of the page; absent when there are no more */
  next?: string;
  signalled: number;
  /** the calendar version sent */
  version: number;
}

const PAGE_SIZE = 200;
const IN_FLIGHT = 16;

export function createCalendarBroadcast(deps: { pool: Pool; client: Client; supplement?: HolidaySupplement }) {
  return async function broadcastCalendarPage(input: { after?: string }): Promise<CalendarPage> {
    const published = await publishedCalendars(deps.pool);
    const calendar = calendarForNewItem(Date.now(), deps.supplement, published.years);
    const { rows } = await deps.pool.query<{ id: string }>(
      `SELECT id FROM items WHERE status = 'active' AND ($1::text IS NULL OR id > $1) ORDER BY id LIMIT ${PAGE_SIZE}`,
      [input.after ?? null],
    );
    let signalled = 0;
    for (let i = 0; i < rows.length; i += IN_FLIGHT) {
      await Promise.all(rows.slice(i, i + IN_FLIGHT).map(async ({ id }) => {
        try {
          await deps.client.workflow.getHandle(itemWorkflowId(id)).signal(calendarUpdatedSignal, calendar);
          signalled += 1;
        } catch (err) {
          // ended since the page was read: it needs no calendar
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }));
      heartbeat(rows[i]!.id);
    }
    const last = rows[rows.length - 1];
    return { signalled, version: calendar.version ?? 0, ...(rows.length === PAGE_SIZE && last ? { next: last.id } : {}) };
  };
}

function heartbeat(at: string): void {
  try {
    Context.current().heartbeat(at);
  } catch {
    // called outside an activity (unit tests)
  }
}
