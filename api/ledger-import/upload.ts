/**
 * An upload of a filled template into a plan, from bytes to an accepted job:
 * the file is refused or read (api/ledger), every row is checked, every item
 * is held to the rules of POST /items (admission.ts), and only when all of it
 * passes is the import accepted — as a new job, or as the job that already
 * imported the same content. Nothing is created here: the runner does that.
 */
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { listUnits } from '../../db/repositories/directory';
import { acceptImport, importedItemIds, recogniseImport, type AcceptOutcome, type ImportItemRow } from '../../db/repositories/ledger-imports';
import type { Plan } from '../../db/repositories/plans';
import { LIMITS } from '../../domain/limits';
import { createCalendarSource, type CalendarSource } from '../calendar-source';
import type { Actor } from '../../domain/types';
import { headerOf } from '../ledger/import-columns';
import { fingerprintPlan } from '../ledger/import-fingerprint';
import { readLedgerFile } from '../ledger/import-ledger';
import type { LedgerSheet } from '../ledger/import-parse';
import { validateLedgerRows, type ValidateOptions } from '../ledger/import-validate';
import { DEFAULT_TIMEZONE } from '../ledger/ledger-time';
import type { ImportError, ImportedItem, ImportedRows, ImportedPlan, ImportResult, ResolveUnit, UnitRef } from '../ledger/types';
import { admitPlan } from './admission';
import { importDiff } from './import-diff';
import { ITEM_KEY_PATTERN, importedItemId, maxKeyLength } from './item-input';
import { createLeaderResolver, knownPeople } from './leaders';
import { LedgerRowsRejected } from './rejection';

export interface UploadContext {
  pool: Pool;
  plan: Plan;
  uploader: Actor;
  nowMs: number;
  /** the calendars new items take (the API's own source, so the check matches the start); read from the pool when not given */
  calendars?: CalendarSource;
}

/**
 * Units by code, or by name when exactly one active unit has it. A name two
 * units share is no way to say which one: the sheet must use the code.
 */
async function unitResolver(pool: Pool, options: { thenInactive?: boolean } = {}): Promise<ResolveUnit> {
  const all = await listUnits(pool, options.thenInactive ? {} : { active: true });
  const resolverOf = (units: typeof all): ResolveUnit => {
    const byCode = new Map<string, UnitRef>(units.map((u) => [u.code, { code: u.code, name: u.name }]));
    const byName = new Map<string, UnitRef | null>();
    for (const u of units) byName.set(u.name, byName.has(u.name) ? null : { code: u.code, name: u.name });
    return (text) => byCode.get(text) ?? byName.get(text) ?? undefined;
  };
  const active = resolverOf(all.filter((u) => u.active));
  if (!options.thenInactive) return active;
  // recognising a file imported before: a unit deactivated since still names the unit it named then
  const inactive = resolverOf(all.filter((u) => !u.active));
  return (text) => active(text) ?? inactive(text);
}

/** 事项编号 joins the plan's id to make the item's id: no colon, and short enough for both to fit. */
function keyErrors(plan: Plan, items: ImportedItem[], rows: ImportedRows): ImportError[] {
  const max = maxKeyLength(plan.id);
  const column = headerOf('itemKey');
  return items.flatMap((item) => {
    const row = rows.items.get(item.key)?.row ?? 0;
    if (!ITEM_KEY_PATTERN.test(item.key)) return [{ row, column, message: `事项编号“${item.key}”不能含有冒号（:）` }];
    if (item.key.length > max) {
      return [{ row, column, message: `事项编号“${item.key}”过长：本方案的事项编号最多 ${max} 个字符（与方案编号“${plan.id}”合起来作为事项 ID，最长 ${LIMITS.idLength} 个字符）` }];
    }
    return [];
  });
}

/** Item ids another item already has: an item of the read side that no earlier import of this plan brought. */
async function takenIds(pool: Pool, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await pool.query(
    `SELECT i.id FROM items i WHERE i.id = ANY($1)
       AND NOT EXISTS (SELECT 1 FROM ledger_import_items l WHERE l.item_id = i.id AND l.status <> 'failed')`,
    [ids],
  );
  return new Set(rows.map((r) => r.id as string));
}

/**
 * Checks a read sheet; throws LedgerRowsRejected listing its mistakes. Days
 * already gone are mistakes only for items no earlier import of the plan
 * brought: those the file will start.
 */
async function checkSheet(
  ctx: UploadContext,
  sheet: LedgerSheet,
  options: ValidateOptions,
  asWritten: ImportResult,
): Promise<{ plan: ImportedPlan; items: ImportItemRow[] }> {
  const settled = await importedItemIds(ctx.pool, ctx.plan.id);
  const isSettled = (key: string) => settled.has(importedItemId(ctx.plan.id, key));
  // the sheet read with every day allowed is the answer unless an item to start has a day gone (10,000 rows validate once)
  const result = asWritten.ok && !hasDayGone(asWritten.plan, ctx.nowMs, isSettled)
    ? asWritten
    : validateLedgerRows(sheet, { ...options, pastDeadlinesAllowed: isSettled });
  // the items without a mistake of the sheet's own are held to the rules below as well: every mistake is answered at once
  const read = result.ok ? result : result.clean;
  if (!read) throw new LedgerRowsRejected(result.ok ? [] : result.errors);
  const sheetErrors = result.ok ? [] : result.errors;
  const badKeys = keyErrors(ctx.plan, read.plan.items, read.rows);
  const badRows = new Set(badKeys.map((e) => e.row));
  // an item whose key cannot make an id is reported once, for its key
  const admissible = read.plan.items.filter((i) => !badRows.has(read.rows.items.get(i.key)?.row ?? 0));
  // items an earlier import brought are started already (or about to be): they are compared, never checked or started again
  const earlier: ImportItemRow[] = admissible.filter((i) => isSettled(i.key)).map((item) => ({
    itemId: importedItemId(ctx.plan.id, item.key),
    key: item.key,
    position: read.plan.items.indexOf(item),
    row: read.rows.items.get(item.key)?.row ?? 0,
    content: item,
    contentFingerprint: fingerprintPlan({ items: [item] }),
  }));
  const people = await knownPeople(ctx.pool, ctx.plan.leaderIds, ctx.uploader);
  const admission = await admitPlan({ items: admissible.filter((i) => !isSettled(i.key)) }, read.rows, {
    plan: { id: ctx.plan.id, source: ctx.plan.source },
    uploader: ctx.uploader,
    nowMs: ctx.nowMs,
    calendar: await (ctx.calendars ?? createCalendarSource(ctx.pool)).forNewItem(ctx.nowMs),
    resolveLeader: createLeaderResolver(people),
    takenIds: (ids) => takenIds(ctx.pool, ids),
  });
  const errors = [...sheetErrors, ...badKeys, ...(admission.ok ? [] : admission.errors)];
  if (errors.length > 0) throw new LedgerRowsRejected(errors);
  return { plan: read.plan, items: [...earlier, ...(admission.ok ? admission.items : [])] };
}

/** Whether a task of an item the file would start is due at an instant already gone. */
function hasDayGone(plan: ImportedPlan, nowMs: number, isSettled: (key: string) => boolean): boolean {
  return plan.items.some((item) => !isSettled(item.key) && item.tasks.some((t) => t.deadline.kind === 'instant' && Date.parse(t.deadline.at) < nowMs));
}

/**
 * Reads the file (LedgerFileError for a refused one), recognises it when its
 * content was imported into the plan before — first, before any of its days
 * is judged: a re-upload a week later is still that import — and otherwise
 * checks it (LedgerRowsRejected) and accepts it as a new job.
 */
export async function receiveUpload(ctx: UploadContext, file: Buffer): Promise<AcceptOutcome> {
  const sheet = await readLedgerFile(file, {});
  const options: ValidateOptions = {
    now: ctx.nowMs,
    timezone: DEFAULT_TIMEZONE,
    resolveUnit: await unitResolver(ctx.pool),
    limits: { id: LIMITS.idLength, coOwners: LIMITS.coOwnersPerTask },
  };
  const asWritten = validateLedgerRows(sheet, { ...options, pastDeadlinesAllowed: () => true });
  const recognised = asWritten.ok ? asWritten : validateLedgerRows(sheet, {
    ...options, resolveUnit: await unitResolver(ctx.pool, { thenInactive: true }), pastDeadlinesAllowed: () => true,
  });
  if (recognised.ok) {
    const earlier = await recogniseImport(ctx.pool, ctx.plan.id, fingerprintPlan(recognised.plan));
    if (earlier) return earlier;
  }
  const { plan, items } = await checkSheet(ctx, sheet, options, asWritten);
  return acceptImport(ctx.pool, {
    planId: ctx.plan.id,
    fingerprint: fingerprintPlan(plan),
    fileSha256: createHash('sha256').update(file).digest('hex'),
    fileBytes: file.length,
    createdBy: ctx.uploader,
    items,
    diffOf: (earlier) => importDiff(earlier.map((e) => e.content as ImportedItem), plan.items),
  });
}
