/**
 * HOLIDAY_CALENDAR_FILE: statutory holidays and make-up workdays an operator
 * adds on top of the package's data and the published years (the API and the
 * worker read the same file: new items take it, and calendar updates carry it
 * to running items). Read once at start; a bad file stops the process with
 * what is wrong. Publishing a year through the API is the usual way.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './env';
import type { HolidaySupplement } from '../domain/statutory-calendar';

const DateKey = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'keys must be dates YYYY-MM-DD');
const DaysSchema = z.record(DateKey, z.string().min(1)).default({});
const SupplementFileSchema = z.object({ holidays: DaysSchema, workdays: DaysSchema }).strict();

export const holidayFileEnv = {
  HOLIDAY_CALENDAR_FILE: z.string().min(1).optional(),
};

const MAX_FILE_DAYS_BYTES = 8 * 1024;

export function loadHolidaySupplement(path: string): HolidaySupplement {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError([`HOLIDAY_CALENDAR_FILE: cannot read JSON from ${path} (${(err as Error).message})`]);
  }
  const parsed = SupplementFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `HOLIDAY_CALENDAR_FILE ${i.path.join('.')}: ${i.message}`));
  }
  // it travels in every item's calendar, whose size the state budget holds
  if (JSON.stringify(parsed.data).length > MAX_FILE_DAYS_BYTES) {
    throw new ConfigError([`HOLIDAY_CALENDAR_FILE: its days take more than ${MAX_FILE_DAYS_BYTES} bytes; keep to the years to come and short names`]);
  }
  return { source: basename(path), ...parsed.data };
}
