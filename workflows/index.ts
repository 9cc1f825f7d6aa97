/** Entry point the worker bundles: every workflow the task queue serves. */
export { rectificationItemWorkflow } from './item-workflow';
export { deliveryEndpointWorkflow } from './delivery-endpoint';
export { calendarBroadcastWorkflow } from './calendar-broadcast';
export { deliverySweepWorkflow } from './delivery-sweep';
export { ledgerImportWorkflow } from './ledger-import';
