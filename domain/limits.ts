/**
 * The limits of one item, and the budgets every payload it produces is held to.
 *
 * Temporal refuses a payload over 2 MiB (and warns at 512 KiB), a search
 * attribute value over 2 KiB and a history over 50 MiB; a refusal wedges the
 * item silently. So nothing here is left to luck: the API refuses input past
 * these limits, the domain refuses commands that would outgrow the state
 * budget, and the workflow sizes its own payloads against the budgets below.
 * The README's limits table is this file in prose; `bench/payload-sizes.ts`
 * measures the worst case of each payload against its budget.
 */
const KiB = 1024;
const MiB = 1024 * KiB;

export const LIMITS = {
  /** item, plan, problem and task ids: [A-Za-z0-9][A-Za-z0-9._:-]* */
  idLength: 64,
  problemsPerItem: 300,
  tasksPerItem: 400,
  problemIdsPerTask: 10,
  coOwnersPerTask: 5,
  /** unit names, person names, the leader's name */
  nameLength: 64,
  /** the token's `sub`: printable ASCII without spaces */
  actorIdLength: 128,
  /** item title, source, category; plan title */
  titleLength: 200,
  /** descriptions, measures, progress text, reasons, notes (multi-line) */
  textLength: 2000,
  evidencePerCommand: 20,
  evidenceLength: 500,
  /** categories a plan may declare */
  categoriesPerPlan: 200,
  /** leaders a plan names as answering for it; plans one leader may answer for (what a command carries) */
  leadersPerPlan: 20,
  plansPerLeader: 100,

  /** POST /items as JSON: the four lists with their text */
  itemInputBytes: 384 * KiB,
  /** the workflow's state (no text, no history): checked whenever a command grows the item */
  itemStateBytes: 384 * KiB,
  /** the holiday calendar an item carries: counted in the state budget at this size, whatever it holds now, so a calendar update never pushes an item over it */
  calendarBytes: 32 * KiB,
  /** room kept per open task for the fields that appear later (three dates, a pending extension, longer counts) */
  taskGrowthReserveBytes: 330,
  /** requests remembered for idempotency across continue-as-new (Temporal itself dedups within a run) */
  requestMemory: 200,
  /** a request id or fingerprint (the API sends 22 characters of a hash) */
  requestIdLength: 40,

  /** one save activity's input */
  saveBatchBytes: 128 * KiB,
  /** unsaved records above which commands are refused (503, retry later) while saves stall */
  unsavedCommandCeilingBytes: 128 * KiB,
  /** unsaved records a continue-as-new may carry; more waits for the next save */
  unsavedCarryBytes: 64 * KiB,
  /** continue-as-new once history reaches this (or when Temporal suggests it) */
  historyContinueAsNewBytes: 8 * MiB,
  /** continue-as-new after this many commands in one run: Temporal refuses the 2,001st update of a run */
  updatesPerRun: 1000,
  /** commands are refused (503) past this history size: only reached while saves stall */
  historyCommandCeilingBytes: 24 * MiB,
  /** the owner-units search attribute (a keyword list) */
  ownerUnitsAttributeBytes: 1 * KiB,

  /** every instant an item holds lies in [2000-01-01, 2100-01-01) UTC */
  earliestInstant: Date.UTC(2000, 0, 1),
  latestInstant: Date.UTC(2100, 0, 1),
} as const;

export { KiB, MiB };
