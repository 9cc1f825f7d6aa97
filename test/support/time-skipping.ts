/**
 * The Java time-skipping test server from the pinned PyPI package (never the
 * SDK's run-time download, which needs the internet), with the product's
 * search attributes registered, since the test server refuses unknown ones.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { resolveTemporalBinary, TEMPORAL_TEST_SERVER } from '../../scripts/temporal-binaries';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../workflows/messages';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const TYPES: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KeywordList: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: resolveTemporalBinary(TEMPORAL_TEST_SERVER) } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTE_REGISTRATIONS.map(([name, type]) => [name, TYPES[type]!])),
  });
  return env;
}
