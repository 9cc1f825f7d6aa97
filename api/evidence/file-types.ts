/**
 * What may be uploaded as evidence: photos, scans and documents an owner unit
 * hands in to show work done. Nothing a browser would run (HTML, SVG, scripts)
 * and nothing without a declared type (`application/octet-stream`): a file
 * whose type the client cannot name is refused with 415 rather than guessed.
 */
export const EVIDENCE_TYPES = [
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  // phone cameras (iPhone photos)
  'image/heic',
  'image/heif',
  'application/pdf',
  // 国家版式文档 (GB/T 33190), the Chinese government's e-document format
  'application/ofd',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'text/plain',
  'text/csv',
  'application/zip',
  // what Windows browsers send for a .zip
  'application/x-zip-compressed',
  'video/mp4',
] as const;

/** Shown in the browser (an <img>, the image opened in a tab); everything else downloads. */
const INLINE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** The media type without parameters, lower-cased; undefined when the header is absent or empty. */
export function mediaTypeOf(header: string | undefined): string | undefined {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

export function isEvidenceType(type: string | undefined): boolean {
  return type !== undefined && (EVIDENCE_TYPES as readonly string[]).includes(type);
}

export function shownInline(type: string): boolean {
  return INLINE_TYPES.has(type);
}
