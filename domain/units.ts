/**
 * The units directory (责任单位) as the rest of the system sees it: a unit has a
 * stable code (what tasks, co-owners, tokens and rankings refer to), a name
 * that may change, a kind, its leaders with their contacts, the channels its
 * notifications go to, and optional quiet hours. Supervision offices (督查室)
 * are units too: one active office per level.
 */
export const UNIT_KINDS = ['countyDepartment', 'township', 'village', 'enterprise', 'supervisionOffice', 'other'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

/** Unit codes: short and stable, safe in URLs and tokens. */
export const UNIT_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const UNIT_CODE_LENGTH = 32;

export interface UnitLeader {
  /** 主要负责人 (principal) or 分管领导 (deputy) */
  role: 'principal' | 'deputy';
  /** the person's token subject, when they sign in: item leaders are found by it */
  personId?: string;
  name: string;
  mobile?: string;
  email?: string;
}

export interface QuietHours {
  /** HH:MM local: no message from here… */
  from: string;
  /** …until here (may be the next day), except level-3 escalations */
  to: string;
  timezone: string;
}

export interface UnitEntry {
  code: string;
  name: string;
  parentCode?: string;
  kind: UnitKind;
  /** supervision offices: the level they watch */
  level?: 'province' | 'city' | 'county';
  leaders: UnitLeader[];
  quietHours?: QuietHours;
  active: boolean;
}
