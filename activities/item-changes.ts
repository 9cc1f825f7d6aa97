/** What the item workflow hands to persistence after each change: one payload, one transaction. */
import type {
  AuditEvent,
  DispatchRecord,
  EscalationRecord,
  ItemSnapshot,
  Notification,
  ReviewRecord,
} from '../domain/types';

export interface ItemChanges {
  /** workflow time of the snapshot; lights and overdue flags are computed against it, never the wall clock */
  asOf: string;
  state: ItemSnapshot;
  auditEvents: AuditEvent[];
  notifications: Notification[];
  escalations: EscalationRecord[];
  dispatches: DispatchRecord[];
  reviews: ReviewRecord[];
}
