/** The workflow input of a new item, as the API builds it (format 2, today's patch level, accepted at a given instant). */
import { calendarForNewItem } from '../../domain/statutory-calendar';
import type { Actor, HolidayCalendar, ItemInput } from '../../domain/types';
import type { CurrentItemInput, ItemWorkflowOptions } from '../../workflows/messages';
import { PATCH_LEVEL } from '../../workflows/patches';

export function newItemArgs(
  item: ItemInput, createdBy: Actor, acceptedAtMs: number, options?: ItemWorkflowOptions, calendar?: HolidayCalendar,
): [CurrentItemInput] {
  return [{
    kind: 'new', format: 2, patchLevel: PATCH_LEVEL, item, createdBy, acceptedAt: new Date(acceptedAtMs).toISOString(),
    calendar: calendar ?? calendarForNewItem(acceptedAtMs), ...(options ? { options } : {}),
  }];
}
