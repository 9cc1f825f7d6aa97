/**
 * Prints a signed bearer token for local use, with the API's own config:
 *   npm run token -- --role leader --sub u1 --name "Li" [--unit "Unit A"] [--ttl 12h]
 * Owners need --unit. Exit 1 with a message on bad arguments or config.
 */
import { parseArgs } from 'node:util';
import { loadApiConfig } from '../api/config';
import { TOKEN_ROLES, TokenClaimsSchema } from '../api/auth';
import { signToken } from '../api/token-signing';
import { ConfigError } from '../config/env';

const USAGE = `usage: npm run token -- --role <${TOKEN_ROLES.join('|')}> --sub <id> --name <name> [--unit <unit>] [--ttl 12h]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      sub: { type: 'string' },
      name: { type: 'string' },
      unit: { type: 'string' },
      ttl: { type: 'string', default: '12h' },
    },
  });
  const claims = TokenClaimsSchema.safeParse({ sub: values.sub, name: values.name, role: values.role, unit: values.unit });
  if (!claims.success) {
    const problems = claims.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n');
    throw new UsageError(`${problems}\n${USAGE}`);
  }
  if (!/^\d+\s*[smhdwy]$|^\d+\s*(sec|min|hour|day|week)s?$/i.test(values.ttl ?? '')) {
    throw new UsageError(`--ttl: use a number and a unit, e.g. 30m, 12h, 7d\n${USAGE}`);
  }
  const config = loadApiConfig(process.env);
  process.stdout.write(`${await signToken(config, claims.data, values.ttl)}\n`);
}

class UsageError extends Error {}

main().catch((err: unknown) => {
  const known = err instanceof UsageError || err instanceof ConfigError || err instanceof TypeError;
  process.stderr.write(`${known ? (err as Error).message : String(err)}\n`);
  process.exit(1);
});
