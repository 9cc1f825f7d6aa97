/** The evidence store the configuration names (EVIDENCE_STORAGE). */
import type { ApiConfig } from '../config';
import { createLocalStore } from './local-store';
import { createS3Store } from './s3-store';
import type { EvidenceStore } from './store';

export function evidenceStoreFrom(config: ApiConfig): EvidenceStore {
  if (config.EVIDENCE_STORAGE === 'local') return createLocalStore(config.EVIDENCE_DIR);
  // the config schema requires these four with EVIDENCE_STORAGE=s3
  return createS3Store({
    endpoint: config.EVIDENCE_S3_ENDPOINT!,
    bucket: config.EVIDENCE_S3_BUCKET!,
    region: config.EVIDENCE_S3_REGION,
    accessKeyId: config.EVIDENCE_S3_ACCESS_KEY_ID!,
    secretAccessKey: config.EVIDENCE_S3_SECRET_ACCESS_KEY!,
    prefix: config.EVIDENCE_S3_PREFIX,
    pathStyle: config.EVIDENCE_S3_PATH_STYLE,
  });
}
