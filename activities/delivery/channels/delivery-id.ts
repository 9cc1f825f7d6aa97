/**
 * Receivers dedupe on an id derived from `deliveryId`, but headers have their
 * own grammars: a Standard Webhooks id must not contain "." (it is signed as
 * `${id}.${timestamp}.${body}`), a Message-ID allows only atext and dots. An id
 * that fits is used as it is (readable in the receiver's logs); one that does
 * not becomes a hash of itself, which is just as stable across retries.
 */
import { createHash } from 'node:crypto';

export function idFor(deliveryId: string, allowed: RegExp, maxLength = 200): string {
  if (deliveryId.length > 0 && deliveryId.length <= maxLength && allowed.test(deliveryId)) return deliveryId;
  return `sha256-${createHash('sha256').update(deliveryId, 'utf8').digest('hex')}`;
}

/** webhook-id: letters, digits, _ and - */
export function webhookIdFor(deliveryId: string): string {
  return idFor(deliveryId, /^[A-Za-z0-9_-]+$/);
}

/** the left part of a Message-ID: dot-atom-text (RFC 5322 §3.6.4) */
export function messageIdLocalPartFor(deliveryId: string): string {
  return idFor(deliveryId, /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/);
}
