/**
 * A body that is JSON text already (an item's view as PostgreSQL keeps it):
 * sent as it is, without parsing it into objects only to write them out again.
 */
export class JsonText {
  constructor(readonly text: string) {}
}
