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

/**
 * The largest gRPC message a client accepts: a page of an item's history may
 * pass 4 MiB (items continue as new at 8 MiB). The SDK (1.24) means to raise
 * grpc-js' 4 MiB default but names the option without its `grpc.` prefix, so
 * the default stays unless the option is given under its real name.
 */
export const CLIENT_MAX_RECEIVE_BYTES = 128 * 1024 * 1024;
export const CLIENT_CHANNEL_ARGS = { 'grpc.max_receive_message_length': CLIENT_MAX_RECEIVE_BYTES };

/** Options for a `@temporalio/client` Connection (not a worker's NativeConnection). */
export function clientConnectionOptions(config: TemporalConnectionConfig) {
  return { ...temporalConnectionOptions(config), channelArgs: CLIENT_CHANNEL_ARGS };
}
