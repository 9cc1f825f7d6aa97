/**
 * 牵头领导: the sheet names a person, an item needs a person with an id (a
 * token subject: the leader who then decides on the item). The people known
 * by id are the leaders the units directory lists with a personId, the
 * leaders who answer for the plan, and the uploader. A cell may say
 * "姓名（账号）" outright; otherwise it is an id of a known person, or the
 * name of exactly one known person.
 */
import type { Pool } from 'pg';
import type { Actor, PersonRef } from '../../domain/types';
import { ACTOR_ID_PATTERN } from '../../domain/text';
import { LIMITS } from '../../domain/limits';

export interface KnownPerson {
  id: string;
  /** undefined when only the id is known (a plan's leader ids) */
  name?: string;
}

export type LeaderResolution = { ok: true; leader: PersonRef } | { ok: false; message: string };

/** 姓名（账号） or 姓名(账号), full-width or not. */
const NAME_WITH_ID = /^(.+?)\s*[（(]\s*([^\s（）()]+)\s*[）)]$/;

/** Directory leaders with a personId, the plan's leader ids and the uploader. */
export async function knownPeople(pool: Pool, planLeaderIds: string[], uploader: Actor): Promise<KnownPerson[]> {
  const { rows } = await pool.query(
    `SELECT DISTINCT l->>'personId' AS id, l->>'name' AS name
     FROM units u, jsonb_array_elements(u.leaders) l
     WHERE u.active AND coalesce(l->>'personId', '') <> ''`,
  );
  return [
    { id: uploader.id, name: uploader.name },
    ...rows.map((r) => ({ id: r.id as string, name: r.name as string })),
    ...planLeaderIds.map((id) => ({ id })),
  ];
}

export function createLeaderResolver(people: KnownPerson[]): (text: string) => LeaderResolution {
  // the first name given for an id is the one shown (the uploader's own comes first: the name in their token)
  const byId = new Map<string, KnownPerson>();
  for (const p of people) if (!byId.has(p.id) || (p.name && !byId.get(p.id)?.name)) byId.set(p.id, p);
  // a person may go by several names (their token's, the directory's): each finds them
  const byName = new Map<string, Set<string>>();
  for (const p of people) if (p.name) byName.set(p.name, (byName.get(p.name) ?? new Set()).add(p.id));

  return (text) => {
    const explicit = NAME_WITH_ID.exec(text);
    if (explicit) {
      const [, name, id] = explicit as unknown as [string, string, string];
      if (!ACTOR_ID_PATTERN.test(id) || id.length > LIMITS.actorIdLength) {
        return { ok: false, message: `牵头领导的账号“${id}”无效：只能使用不含空格的英文字母、数字和符号，最多 ${LIMITS.actorIdLength} 个` };
      }
      return { ok: true, leader: { id, name: name.trim() } };
    }
    const known = byId.get(text);
    if (known) return { ok: true, leader: { id: known.id, name: known.name ?? known.id } };
    const ids = [...(byName.get(text) ?? [])];
    if (ids.length === 1) return { ok: true, leader: { id: ids[0] as string, name: text } };
    if (ids.length > 1) {
      return { ok: false, message: `有 ${ids.length} 位领导名为“${text}”，请写成“姓名（账号）”以区分，如“${text}（${ids[0]}）”` };
    }
    return {
      ok: false,
      message: `牵头领导“${text}”不在单位名录的领导中，也不是本方案的负责领导：请填写名录中领导的姓名，或写成“姓名（账号）”`,
    };
  };
}
