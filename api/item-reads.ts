/**
 * Reading one item: from the read side, as the caller may see it, and never a
 * wrong "no such item" because the read side is a moment behind its workflow.
 *
 * - An item the caller may not see is answered exactly like one that does not
 *   exist (same status, code and detail), whatever exists.
 * - An item whose workflow exists but whose row has not landed yet is waited
 *   for briefly (read your writes); past that, 503 with Retry-After, never 404.
 * - `minVersion` (or `live`, which asks the workflow for its version) waits
 *   until the read side holds at least that version.
 * - The common case costs one statement: the row is there, the viewer may see
 *   it and it is recent enough; everything else takes the careful path.
 */
import type { Pool } from 'pg';
import type { ItemSavedFeed } from '../db/item-saved-feed';
import { getItemView, itemAccess, itemVersion, keptItemViewText, type ItemView } from '../db/repositories/item-view';
import type { Viewer } from '../db/repositories/visibility';
import { actsForTask, noSuchItem } from '../domain/authorization';
import { DomainError } from '../domain/errors';
import { ApiProblem } from './http/api-problem';
import type { ItemGateway } from './item-gateway';

export const READ_WAIT_MS = 3000;

export interface ReadOptions {
  /** wait until the read side holds at least this version */
  minVersion?: number;
  /** ask the workflow for its current version first, then wait for it */
  live?: boolean;
}

export interface ItemReads {
  /** The item as `viewer` may see it. */
  view(itemId: string, viewer: Viewer, options?: ReadOptions): Promise<ItemView>;
  /** The same, as JSON text: the common read sends the view the read side keeps without parsing it. */
  viewJson(itemId: string, viewer: Viewer, options?: ReadOptions): Promise<string>;
  /** Resolves when `viewer` may read the item's records; refuses like `view` otherwise. */
  requireVisible(itemId: string, viewer: Viewer): Promise<void>;
}

function lagging(what: string): ApiProblem {
  return new ApiProblem(503, 'SERVICE_UNAVAILABLE', `${what}; retry shortly`, { headers: { 'Retry-After': '1' } });
}

export function createItemReads(deps: { pool: Pool; items: ItemGateway; saved: ItemSavedFeed }): ItemReads {
  const { pool, items, saved } = deps;
  /** checked now, after each save of the item, and at the bound: never in a loop */
  const waitFor = (itemId: string, check: () => Promise<boolean>) => saved.waitUntil(itemId, check, READ_WAIT_MS);

  /**
   * The read side does not show the item to this viewer (yet): does the workflow
   * say they may see it (a new item, a task just handed to their unit)? Then the
   * read side is waited for; otherwise it is no item of theirs.
   */
  async function catchUp(itemId: string, viewer: Viewer): Promise<void> {
    const state = await items.state(itemId);
    if (!state) throw noSuchItem(itemId);
    const involved = viewer.role !== 'owner' || state.tasks.some((t) => actsForTask({ id: '', name: '', role: 'owner', unit: viewer.unit }, t));
    if (!involved) throw noSuchItem(itemId);
    if (!(await waitFor(itemId, async () => (await itemAccess(pool, itemId, viewer)) === 'visible'))) {
      throw lagging(`the read side of item '${itemId}' is catching up`);
    }
  }

  async function requireVisible(itemId: string, viewer: Viewer): Promise<void> {
    if ((await itemAccess(pool, itemId, viewer)) !== 'visible') await catchUp(itemId, viewer);
  }

  const reads: ItemReads = {
    requireVisible,

    async viewJson(itemId, viewer, options = {}) {
      if (!options.live && viewer.role !== 'owner') {
        const kept = await keptItemViewText(pool, itemId);
        if (kept && (options.minVersion === undefined || kept.version >= options.minVersion)) return kept.text;
      }
      const view = await reads.view(itemId, viewer, options);
      if (viewer.role === 'owner') return JSON.stringify(view);
      // after waiting, the kept view's text again when it is there: one version is one body (and ETag), however it was asked for
      const kept = await keptItemViewText(pool, itemId);
      return kept && kept.version >= view.version ? kept.text : JSON.stringify(view);
    },

    async view(itemId, viewer, options = {}) {
      // The common read is one statement: the row is there, visible, and recent enough.
      if (!options.live) {
        const view = await getItemView(pool, itemId, viewer);
        if (view && (options.minVersion === undefined || view.version >= options.minVersion)) return view;
      }
      await requireVisible(itemId, viewer);
      let wanted = options.minVersion;
      const stored = await itemVersion(pool, itemId);
      if (options.live || (wanted !== undefined && (stored ?? -1) < wanted)) {
        const live = await items.version(itemId);
        // a version the item has not reached is a client's mistake, not something to wait for
        if (wanted !== undefined && live && wanted > live.version) {
          throw new DomainError('VALIDATION_FAILED', `item '${itemId}' is at version ${live.version}; version ${wanted} does not exist yet`, {
            path: 'query.minVersion',
          });
        }
        if (options.live && live) wanted = Math.max(wanted ?? 0, live.version);
      }
      if (wanted !== undefined && (stored ?? -1) < wanted) {
        const reached = await waitFor(itemId, async () => ((await itemVersion(pool, itemId)) ?? -1) >= wanted!);
        if (!reached) throw lagging(`the read side of item '${itemId}' has not reached version ${wanted} yet`);
      }
      const view = await getItemView(pool, itemId, viewer);
      if (!view) throw noSuchItem(itemId);
      return view;
    },
  };
  return reads;
}
