-- Excel ledger imports (整改台账导入). An accepted upload is a job: its row is
-- its progress, polled by the uploader. Creating the items runs in the
-- background in an API process that holds the job's lease; when that process
-- dies or restarts, the lease runs out and any API process takes the job up
-- again where it stopped (items are started under deterministic ids, so a
-- start that was in flight is recognised, never repeated).

CREATE TABLE ledger_imports (
  id               text PRIMARY KEY,
  plan_id          text NOT NULL REFERENCES plans (id),
  fingerprint      text NOT NULL,                 -- the content of the file (api/ledger/import-fingerprint.ts): same content, same job
  file_sha256      text NOT NULL,                 -- the bytes uploaded, for the record
  file_bytes       integer NOT NULL,
  status           text NOT NULL,                 -- queued | running | succeeded | failed
  total_items      integer NOT NULL,              -- items this import creates
  created_items    integer NOT NULL DEFAULT 0,
  failed_items     integer NOT NULL DEFAULT 0,
  unchanged_items  integer NOT NULL,              -- imported before with the same content: left alone
  changed_items    integer NOT NULL,              -- imported before with other content: reported, not applied
  diff             jsonb NOT NULL,                -- what the file changes against the plan's earlier imports
  created_by       jsonb NOT NULL,                -- the uploader (an Actor): the items are started in their name
  lease_owner      text,                          -- the runner working on it…
  lease_until      timestamptz,                   -- …until then; past it, any runner may take the job
  attempts         integer NOT NULL DEFAULT 0,    -- times a runner took the job up
  created_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  finished_at      timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (plan_id, fingerprint)
);
CREATE INDEX ledger_imports_plan_idx ON ledger_imports (plan_id, created_at DESC);
CREATE INDEX ledger_imports_open_idx ON ledger_imports (lease_until) WHERE status IN ('queued', 'running');

-- One row per item an import brings into its plan. The item id is the plan's
-- id and the sheet's 事项编号 (<plan>:<key>), so a key is imported into a plan
-- once; a later file with the same key is compared with `content`.
CREATE TABLE ledger_import_items (
  item_id     text PRIMARY KEY,
  import_id   text NOT NULL REFERENCES ledger_imports (id),
  plan_id     text NOT NULL,
  item_key    text NOT NULL,                      -- 事项编号
  position    integer NOT NULL,                   -- order in the file
  sheet_row   integer NOT NULL,                   -- the item's first row in the file
  content     jsonb NOT NULL,                     -- the item as the sheet gave it (for diffs)
  content_fp  text NOT NULL,                      -- its fingerprint
  input       jsonb NOT NULL,                     -- what is started: the body POST /items would take
  status      text NOT NULL,                      -- pending | created | failed
  error       jsonb,                              -- {code, message} of a failed start
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_import_items_job_idx ON ledger_import_items (import_id, status, position);
CREATE INDEX ledger_import_items_plan_idx ON ledger_import_items (plan_id, item_key);
