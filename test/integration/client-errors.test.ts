/** What Node refuses before Express (oversized headers, a broken request line) is still problem+json. */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { answerClientErrors } from '../../api/http/client-error';

function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('utf8')));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

test('a 20 KiB URL is 431 and a garbled request line 400, both as problem+json', async () => {
  const server = createServer((_req, res) => res.end('ok'));
  answerClientErrors(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const long = await raw(port, `GET /items?cursor=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(long).toMatch(/^HTTP\/1\.1 431 /);
    expect(long).toMatch(/application\/problem\+json/);
    expect(JSON.parse(long.slice(long.indexOf('{')))).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' });
    const garbled = await raw(port, 'GARBLED\x00 / HTTP/1.1\r\n\r\n');
    expect(garbled).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(garbled.slice(garbled.indexOf('{')))).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
