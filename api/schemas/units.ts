/** The units directory as the API takes it: units, their leaders, quiet hours and channels. */
import { z } from 'zod';
import { UNIT_CODE_LENGTH, UNIT_CODE_PATTERN, UNIT_KINDS } from '../../domain/units';
import { ActorIdSchema, IdSchema, NameSchema, lineSchema } from './common';

export const UnitCodeSchema = z
  .string()
  .min(1)
  .max(UNIT_CODE_LENGTH)
  .regex(UNIT_CODE_PATTERN, 'use letters, digits and . _ - (starting with a letter or digit)')
  .meta({ id: 'UnitCode', description: 'A unit\'s stable code: tasks, tokens (`unit` claim) and rankings refer to it' });

const RESERVED_CODES = ['ranking', 'import'];

const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');
const TimeZone = z.string().max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone');

export const UnitLeaderSchema = z
  .object({
    role: z.enum(['principal', 'deputy']).describe('主要负责人 (principal) or 分管领导 (deputy)'),
    personId: ActorIdSchema.optional().describe('their token subject: an item they lead is told through their unit'),
    name: NameSchema,
    mobile: z.string().regex(/^\+?[0-9][0-9-]{4,19}$/, 'must be a phone number').optional(),
    email: z.email().max(254).optional(),
  })
  .meta({ id: 'UnitLeader' });

const Secret = lineSchema(512);
const EmailAddress = z.email().max(254);
/** `noreply@example.cn` or, with a display name, `督办系统 <noreply@example.cn>` */
const Mailbox = lineSchema(320).refine((v) => {
  const named = /^[^<>"]*<([^<>\s]+)>$/.exec(v);
  return EmailAddress.safeParse(named ? named[1] : v).success;
}, 'must be an e-mail address, optionally with a display name: Name <address>');
const BaseUrl = z.url({ protocol: /^https?$/ }).max(500).optional().describe('the platform host; default the real one');

export const ChannelConfigSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('dingtalk'), accessToken: Secret, secret: Secret.optional(),
      atMobiles: z.array(z.string().regex(/^\+?[0-9][0-9-]{4,19}$/)).max(20).optional(), isAtAll: z.boolean().optional(), baseUrl: BaseUrl,
    }),
    z.object({ kind: z.literal('wecom'), key: Secret, baseUrl: BaseUrl }),
    z.object({ kind: z.literal('feishu'), hookId: Secret, secret: Secret.optional(), baseUrl: BaseUrl }),
    z.object({
      kind: z.literal('webhook'), url: z.url({ protocol: /^https?$/ }).max(2000),
      secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]{32,}$/, 'must be whsec_ and the base64 of 24 or more random bytes'),
    }),
    z.object({
      kind: z.literal('email'), host: lineSchema(253), port: z.number().int().min(1).max(65535).optional(),
      secure: z.boolean().optional(), requireTLS: z.boolean().optional(),
      auth: z.object({ user: lineSchema(254), pass: Secret }).optional(),
      from: Mailbox, to: z.array(z.email().max(254)).min(1).max(20), cc: z.array(z.email().max(254)).max(20).optional(),
      messageIdDomain: lineSchema(253).optional(),
    }),
  ])
  .meta({ id: 'ChannelConfig', description: 'Where notifications go. Secrets are stored, used to sign and send, and never shown again.' });

export const ChannelInputSchema = z
  .object({ id: IdSchema.max(32), active: z.boolean().default(true), config: ChannelConfigSchema })
  .meta({ id: 'ChannelInput' });

/**
 * A code as the directory may already hold it: units that migration 005
 * registered from the free text tasks named keep that text as their code
 * (`交通局（旧）`), which the rule for new codes refuses. Such units must stay
 * readable, updatable, renamable, importable and deactivatable, and may be
 * parents; only a new unit's code must follow the rule.
 */
export const ExistingUnitCodeSchema = NameSchema.meta({
  id: 'ExistingUnitCode', description: 'A unit\'s code as the directory holds it (older units may have codes the rule for new ones refuses)',
});

const unitInput = (code: z.ZodType<string>) => z
  .object({
    code,
    name: NameSchema,
    parentCode: ExistingUnitCodeSchema.optional(),
    kind: z.enum(UNIT_KINDS),
    level: z.enum(['province', 'city', 'county']).optional().describe('supervision offices: the level they watch'),
    leaders: z.array(UnitLeaderSchema).max(10).default([]),
    quietHours: z
      .object({ from: TimeOfDay, to: TimeOfDay, timezone: TimeZone.default('Asia/Shanghai') })
      .optional()
      .describe('no message in these local hours except level-3 escalations; held ones go at the end'),
    active: z.boolean().default(true),
    channels: z.array(ChannelInputSchema).max(10).optional().describe('replaces the unit\'s channels when given'),
  })
  .superRefine((u, ctx) => {
    if (u.kind === 'supervisionOffice' && !u.level) ctx.addIssue({ code: 'custom', path: ['level'], message: 'a supervision office needs its level' });
    if (u.kind !== 'supervisionOffice' && u.level) ctx.addIssue({ code: 'custom', path: ['level'], message: 'only supervision offices have a level' });
    // GET /units/ranking and POST /units/import are routes: a unit by those codes could not be read or updated
    if (RESERVED_CODES.includes(u.code)) ctx.addIssue({ code: 'custom', path: ['code'], message: `'${u.code}' is reserved` });
    if (u.parentCode === u.code) ctx.addIssue({ code: 'custom', path: ['parentCode'], message: 'a unit cannot be its own parent' });
    const ids = (u.channels ?? []).map((c) => c.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['channels'], message: 'channel ids must be unique' });
  });

/** A new unit: its code follows the rule. */
export const UnitInputSchema = unitInput(UnitCodeSchema).meta({ id: 'UnitInput' });
/** An existing unit's new state: its code is the one it has. */
export const UnitUpdateSchema = unitInput(ExistingUnitCodeSchema).meta({ id: 'UnitUpdate' });

/**
 * Rows create or replace units, with codes by the rule (so that every malformed
 * row is reported at once, before the directory is read); a unit with an older
 * code is updated with POST /units/:code, and may be any row's parent.
 */
export const UnitImportSchema = z.object({ units: z.array(UnitInputSchema).min(1).max(5000) }).meta({ id: 'UnitImport' });

const ChannelViewSchema = z.object({ id: z.string(), kind: z.string(), active: z.boolean(), target: z.string() });

export const UnitViewSchema = z
  .object({
    code: z.string(), name: z.string(), parentCode: z.string().optional(), kind: z.string(), level: z.string().optional(),
    leaders: z.array(z.object({
      role: z.string(), personId: z.string().optional(), name: z.string(), mobile: z.string().optional(), email: z.string().optional(),
    })),
    quietHours: z.object({ from: z.string(), to: z.string(), timezone: z.string() }).optional(),
    active: z.boolean(),
    channels: z.array(ChannelViewSchema).optional().describe('admins only; secrets are never shown'),
    createdAt: z.string(), updatedAt: z.string(),
  })
  .meta({ id: 'Unit', description: 'Contacts and channels are shown to admins only' });

export const UnitListSchema = z.object({ units: z.array(UnitViewSchema) }).meta({ id: 'UnitList' });
export const UnitCodeParamsSchema = z.object({ code: ExistingUnitCodeSchema });
