/**
 * Requests Node refuses before Express sees them (headers over 16 KiB, a
 * malformed request line) still get the API's problem shape, not Node's bare
 * status line.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

function problemResponse(status: number, title: string, detail: string): string {
  // the request's own X-Request-Id cannot be trusted (its headers were not parsed): a fresh one, as for any request without one
  const requestId = randomUUID();
  const body = JSON.stringify({
    type: `urn:rectification:problem:${status === 431 ? 'headers_too_large' : 'bad_request'}`,
    title, status, detail, code: status === 431 ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST', requestId,
  });
  return [
    `HTTP/1.1 ${status} ${title}`, 'Content-Type: application/problem+json', `X-Request-Id: ${requestId}`, `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close', '', body,
  ].join('\r\n');
}

export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || (err.code !== 'HPE_HEADER_OVERFLOW' && !err.code?.startsWith('HPE_'))) {
      socket.destroy();
      return;
    }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    socket.end(tooLarge
      ? problemResponse(431, 'Request Header Fields Too Large', 'the request line or headers are larger than 16 KiB')
      : problemResponse(400, 'Bad Request', 'the request could not be parsed'));
  });
}
