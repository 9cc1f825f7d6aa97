/** Connection options for a Temporal client or worker from parsed config (TLS / API key for clusters and Cloud). */
import { readFileSync } from 'node:fs';

export interface TemporalConnectionConfig {
  TEMPORAL_ADDRESS: string;
  TEMPORAL_API_KEY?: string;
  TEMPORAL_TLS: boolean;
  TEMPORAL_TLS_CERT_PATH?: string;
  TEMPORAL_TLS_KEY_PATH?: string;
}

export function temporalConnectionOptions(config: TemporalConnectionConfig) {
  const clientCertPair =
    config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH
      ? { crt: readFileSync(config.TEMPORAL_TLS_CERT_PATH), key: readFileSync(config.TEMPORAL_TLS_KEY_PATH) }
      : undefined;
  const tls = config.TEMPORAL_TLS || clientCertPair || config.TEMPORAL_API_KEY ? { clientCertPair } : undefined;
  return { address: config.TEMPORAL_ADDRESS, tls, apiKey: config.TEMPORAL_API_KEY };
}
