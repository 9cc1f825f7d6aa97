/**
 * Which JWT algorithms a configured public key can verify. Checked once, at
 * start-up: a key the API cannot verify with (DSA, X25519, a short RSA key, a
 * curve jose does not sign with) stops the process with a clear message,
 * instead of refusing every token later.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';

const EC_ALGORITHMS: Record<string, string> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };
const MIN_RSA_BITS = 2048;

export interface PublicKeyCheck {
  key: KeyObject;
  algorithms: string[];
}

/** The key and its algorithms, or an Error naming what is wrong with it. */
export function checkPublicKey(pem: string): PublicKeyCheck {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new Error('is not a readable PEM public key');
  }
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa': {
      if ((details.modulusLength ?? 0) < MIN_RSA_BITS) throw new Error(`is an RSA key of ${details.modulusLength} bits; at least ${MIN_RSA_BITS} are needed`);
      return { key, algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] };
    }
    case 'rsa-pss':
      // jose verifies PS256/384/512 with a plain RSA key and cannot use an RSA-PSS-only one
      throw new Error('is an RSA-PSS-only key (id-RSASSA-PSS); export the same key as a plain RSA public key (rsaEncryption)');
    case 'ec': {
      const algorithm = EC_ALGORITHMS[details.namedCurve ?? ''];
      if (!algorithm) throw new Error(`is an EC key on curve ${details.namedCurve}; use P-256, P-384 or P-521`);
      return { key, algorithms: [algorithm] };
    }
    case 'ed25519':
      return { key, algorithms: ['EdDSA'] };
    default:
      throw new Error(`is a ${key.asymmetricKeyType} key, which signs no JWT this API verifies (RSA, EC P-256/384/521, Ed25519)`);
  }
}
