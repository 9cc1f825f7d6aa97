/**
 * The uploaded file's name, sent as `X-File-Name` percent-encoded UTF-8 (HTTP
 * headers carry Latin-1 only), and its way back out in Content-Disposition.
 */
import { textRuleViolation } from '../../domain/text';
import { ApiProblem } from '../http/api-problem';

export const FILE_NAME_HEADER = 'X-File-Name';
export const MAX_FILE_NAME_LENGTH = 255;

function badName(message: string): ApiProblem {
  const path = `header.${FILE_NAME_HEADER}`;
  return new ApiProblem(400, 'BAD_REQUEST', `invalid ${path}: ${message}`, { errors: [{ path, message }] });
}

/** The decoded name: one line, no path, 1–255 characters. */
export function fileNameFrom(header: string | undefined): string {
  if (header === undefined || header.trim() === '') throw badName('required: the file name, percent-encoded UTF-8 (encodeURIComponent)');
  // raw UTF-8 in a header arrives as Latin-1 mojibake: say how to send it rather than refuse the mojibake
  if (/[^\x20-\x7E]/.test(header)) throw badName('must be percent-encoded UTF-8 (encodeURIComponent): send only ASCII in the header');
  let name: string;
  try {
    name = decodeURIComponent(header.trim()).trim();
  } catch {
    throw badName('is not percent-encoded UTF-8');
  }
  if (name === '' || name === '.' || name === '..') throw badName('must name a file');
  if ([...name].length > MAX_FILE_NAME_LENGTH) throw badName(`must be at most ${MAX_FILE_NAME_LENGTH} characters`);
  if (/[/\\]/.test(name)) throw badName('must be a file name, not a path');
  const problem = textRuleViolation(name, 'singleLine');
  if (problem) throw badName(problem);
  return name;
}

/**
 * RFC 6266: an ASCII fallback for old clients (non-ASCII and quote characters
 * become '_') and the exact UTF-8 name in `filename*` (RFC 8187).
 */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7E]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
