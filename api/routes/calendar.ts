/**
 * The holiday calendar: everyone reads what is published; an admin publishes
 * a year (the State Council's notice, usually each November). New items take
 * it at once; running items receive it through a broadcast workflow that
 * recounts their working-day deadlines not yet passed.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import { publishCalendarYear } from '../../db/repositories/calendars';
import { DomainError } from '../../domain/errors';
import { isoWeekday, parseDate } from '../../domain/local-time';
import {
  CALENDAR_BROADCAST_WORKFLOW_TYPE,
  calendarBroadcastWorkflowId,
  type CalendarBroadcastInput,
} from '../../workflows/messages';
import { defineRoute, type RouteSpec } from '../http/route';
import { LIMITS } from '../../domain/limits';
import { jsonBytes } from '../../domain/text';
import { lineSchema, ShortTextSchema } from '../schemas/common';
import { FIXED_DATE_HOLIDAYS } from '../../domain/working-days';

const ALL_ROLES = ['leader', 'owner', 'supervisor', 'admin'] as const;
// names follow the text rule of every name (no control characters, no bidi overrides) and stay short:
// they travel in every item's calendar, whose size the state budget holds (LIMITS.calendarBytes)
const DayNameSchema = lineSchema(32);
const daysSchema = (max: number) => z.record(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'keys are dates YYYY-MM-DD'), DayNameSchema)
  .refine((days) => Object.keys(days).length <= max, `at most ${max} days`);
/** Publishing further ahead than this is a typo: notices come out the autumn before. */
const YEARS_AHEAD = 2;

const YearParamsSchema = z.object({ year: z.coerce.number().int().min(2000).max(2099) });

export const CalendarYearInputSchema = z
  .object({
    source: ShortTextSchema.describe('the notice, e.g. 国务院办公厅关于2027年部分节假日安排的通知'),
    holidays: daysSchema(45).describe('date → holiday name, e.g. {"2027-10-01": "National Day,国庆节"}; the fixed-date statutory holidays (1 January, 1–2 May, 1–3 October) are holidays whether listed or not'),
    workdays: daysSchema(15).default({}).describe('make-up workdays (调休), weekend dates only'),
  })
  .strict()
  .meta({ id: 'CalendarYearInput' });

const PublishedYearSchema = z
  .object({
    year: z.number().int(), version: z.number().int(), source: z.string(),
    holidays: z.record(z.string(), z.string()), workdays: z.record(z.string(), z.string()),
    publishedBy: z.string().optional(), publishedAt: z.string().optional(),
  })
  .meta({ id: 'PublishedCalendarYear' });

const CalendarSchema = z
  .object({
    version: z.number().int().describe('the latest publication (0: none, the package data alone)'),
    years: z.array(PublishedYearSchema),
    coveredYears: z.array(z.number().int()).describe('years whose holidays new items know; other years count only weekends and the fixed-date holidays, provisionally'),
  })
  .meta({ id: 'HolidayCalendar' });

const PublishResultSchema = PublishedYearSchema.extend({
  broadcast: z.string().describe('the workflow carrying it to running items'),
}).meta({ id: 'CalendarPublication' });

function checkYear(year: number, body: z.output<typeof CalendarYearInputSchema>, nowMs: number): void {
  const thisYear = new Date(nowMs).getUTCFullYear();
  if (year < thisYear - 1 || year > thisYear + YEARS_AHEAD) {
    throw new DomainError('VALIDATION_FAILED', `only ${thisYear - 1} to ${thisYear + YEARS_AHEAD} can be published: items carry no other years`, { path: 'year' });
  }
  for (const [kind, days] of [['holidays', body.holidays], ['workdays', body.workdays]] as const) {
    for (const date of Object.keys(days)) {
      const path = `${kind}.${date}`;
      let parts: { year: number; month: number; day: number };
      try {
        parts = parseDate(date);
      } catch {
        throw new DomainError('VALIDATION_FAILED', `${date} is not a date`, { path });
      }
      if (parts.year !== year) throw new DomainError('VALIDATION_FAILED', `${date} is not in ${year}`, { path });
      if (kind === 'workdays' && isoWeekday(parts.year, parts.month, parts.day) < 6) {
        throw new DomainError('VALIDATION_FAILED', `${date} is a weekday: a make-up workday (调休) is a Saturday or Sunday`, { path });
      }
      if (kind === 'workdays' && Object.hasOwn(FIXED_DATE_HOLIDAYS, date.slice(5))) {
        throw new DomainError('VALIDATION_FAILED', `${date} is a fixed-date statutory holiday: it cannot be a make-up workday`, { path });
      }
      if (kind === 'workdays' && Object.hasOwn(body.holidays, date)) {
        throw new DomainError('VALIDATION_FAILED', `${date} is listed as both a holiday and a workday`, { path });
      }
    }
  }
}

export const calendarRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get', path: '/calendar', operationId: 'getCalendar', summary: 'The published holiday calendar', tag: 'Calendar',
    roles: ALL_ROLES,
    response: { status: 200, description: 'what new items take', schema: CalendarSchema },
    handler: async ({ deps }) => {
      const published = await deps.calendars.published();
      const calendar = await deps.calendars.forNewItem(Date.now());
      return { version: published.version, years: published.years, coveredYears: calendar.years };
    },
  }),
  defineRoute({
    method: 'post', path: '/calendar/years/:year', operationId: 'publishCalendarYear',
    summary: 'Publish a year\'s holidays and make-up workdays',
    description: 'Replaces that year\'s data with a new calendar version. New items take it at once; running items receive it as a recorded event that recounts their working-day deadlines not yet passed (with the version in each deadline\'s basis), and move their rounds off the new holidays.',
    tag: 'Calendar', roles: ['admin'],
    params: YearParamsSchema, body: CalendarYearInputSchema,
    response: { status: 201, description: 'the publication, and the broadcast carrying it', schema: PublishResultSchema },
    errors: [422],
    handler: async ({ params, body, actor, deps, log }) => {
      checkYear(params.year, body, Date.now());
      // what new items would carry with it: it must fit the allowance every item's budget holds for it
      const current = await deps.calendars.published();
      const candidate = { year: params.year, version: current.version + 1, source: body.source, holidays: body.holidays, workdays: body.workdays };
      const bytes = jsonBytes(await deps.calendars.forNewItem(Date.now(), [...current.years.filter((y) => y.year !== params.year), candidate]));
      if (bytes > LIMITS.calendarBytes) {
        throw new DomainError('VALIDATION_FAILED', `the calendar items carry would grow to ${bytes} bytes, past its ${LIMITS.calendarBytes}: shorten the day names`, { path: 'holidays' });
      }
      const published = await publishCalendarYear(deps.pool, { year: params.year, ...body, publishedBy: actor.id });
      deps.calendars.invalidate();
      const workflowId = calendarBroadcastWorkflowId(deps.config.TEMPORAL_TASK_QUEUE, published.version);
      const args: [CalendarBroadcastInput] = [{ version: published.version }];
      try {
        await deps.temporal.workflow.start(CALENDAR_BROADCAST_WORKFLOW_TYPE, { taskQueue: deps.config.TEMPORAL_TASK_QUEUE, workflowId, args });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      log.info({ year: params.year, version: published.version }, 'holiday calendar published');
      return { ...published, broadcast: workflowId };
    },
  }),
];
