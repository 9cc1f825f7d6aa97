/**
 * HOLIDAY_CALENDAR_FILE: statutory holidays and make-up workdays an operator
 * adds before the `chinese-days` package has them. Read once at start; a bad
 * file stops the API with what is wrong. Only items created afterwards use it
 * (running items keep the calendar they started with, recorded in history).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../config/env';
import type { HolidaySupplement } from '../domain/statutory-calendar';

const DateKey = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'keys must be dates YYYY-MM-DD');
const DaysSchema = z.record(DateKey, z.string().min(1)).default({});
const SupplementFileSchema = z.object({ holidays: DaysSchema, workdays: DaysSchema }).strict();

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
  return { source: basename(path), ...parsed.data };
}
