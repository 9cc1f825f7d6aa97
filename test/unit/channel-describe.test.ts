/**
 * How a channel is shown to admins (`target`): where it goes, never a secret,
 * including the tokens many webhook URLs carry in their path.
 */
import { describeChannel } from '../../db/repositories/directory';

it('a webhook shows its origin and plain path; token-like path parts only by their last four characters, the query not at all', () => {
  const target = describeChannel({ kind: 'webhook', url: 'https://hooks.example.cn/services/T0001XYZ/B0002ABC/Xk29sLq81mZqv?auth=zz99yy88', secret: `whsec_${'A'.repeat(32)}` });
  expect(target).toBe('webhook https://hooks.example.cn/services/…1XYZ/…2ABC/…mZqv');
  for (const s of ['T0001XYZ', 'B0002ABC', 'Xk29sLq81mZqv', 'zz99yy88']) expect(target).not.toContain(s);
});

it('a webhook without tokens in its path shows it whole', () => {
  expect(describeChannel({ kind: 'webhook', url: 'http://127.0.0.1:9/hooks/rect', secret: `whsec_${'A'.repeat(32)}` })).toBe('webhook http://127.0.0.1:9/hooks/rect');
});
