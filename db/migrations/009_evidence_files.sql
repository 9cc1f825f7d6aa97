-- Evidence files (整改佐证材料): the metadata of each upload. The bytes live in
-- the evidence store (local directory or S3-compatible storage) under their
-- SHA-256, so the same content uploaded twice is one blob; each upload to a
-- task is a row of its own, except the same content under the same name to the
-- same task again, which is the earlier row (a retried upload).
CREATE TABLE evidence_files (
  id               text PRIMARY KEY,
  item_id          text NOT NULL,
  task_id          text NOT NULL,
  sha256           text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  name             text NOT NULL,
  content_type     text NOT NULL,
  size             bigint NOT NULL CHECK (size >= 0),
  uploaded_by      text NOT NULL,
  uploaded_by_name text NOT NULL,
  unit             text,
  uploaded_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (item_id, task_id, sha256, name)
);
CREATE INDEX evidence_files_task_idx ON evidence_files (item_id, task_id, uploaded_at, id);
