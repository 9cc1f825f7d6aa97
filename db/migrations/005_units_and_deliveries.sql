-- The units directory (责任单位) and the delivery of notifications.

CREATE TABLE units (
  code          text PRIMARY KEY,                 -- stable: tasks, tokens and rankings refer to it; a rename keeps it
  name          text NOT NULL,
  parent_code   text REFERENCES units (code),
  kind          text NOT NULL,                    -- countyDepartment | township | village | enterprise | supervisionOffice | other
  level         text,                             -- supervision offices: province | city | county
  leaders       jsonb NOT NULL DEFAULT '[]',      -- [{role: principal|deputy, personId?, name, mobile?, email?}]
  quiet_hours   jsonb,                            -- {from: 'HH:MM', to: 'HH:MM', timezone}
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
-- one active supervision office per level: `supervisionOffice` resolves to it
CREATE UNIQUE INDEX units_supervision_office_idx ON units (level) WHERE kind = 'supervisionOffice' AND active;
CREATE INDEX units_leaders_idx ON units USING gin (leaders jsonb_path_ops);

-- Units that tasks already name are registered as they are, so every task refers to a unit.
INSERT INTO units (code, name, kind)
  SELECT DISTINCT u, u, 'other' FROM tasks, unnest(ARRAY[owner_unit] || co_owners) AS u
ON CONFLICT DO NOTHING;

CREATE TABLE unit_channels (
  unit_code   text NOT NULL REFERENCES units (code),
  id          text NOT NULL,
  kind        text NOT NULL,                      -- dingtalk | wecom | feishu | webhook | email
  config      jsonb NOT NULL,                     -- holds secrets: never served, never logged
  active      boolean NOT NULL DEFAULT true,
  PRIMARY KEY (unit_code, id)
);

ALTER TABLE notifications ADD COLUMN note text;
ALTER TABLE notifications ADD COLUMN new_due_at timestamptz;

-- One row per (notification, channel): the delivery's whole life, at least once, never lost.
CREATE TABLE deliveries (
  id                 text PRIMARY KEY,            -- stable per (notification, channel): receivers dedupe on it
  notification_key   text NOT NULL,
  item_id            text NOT NULL,
  task_id            text,
  unit_code          text NOT NULL,               -- the unit whose channel it goes to
  channel_id         text NOT NULL,               -- '-' when the recipient has no channel (status unroutable)
  level              integer,
  mentions           jsonb NOT NULL DEFAULT '[]', -- people to @ or to write to: [{name, mobile?, email?}]
  status             text NOT NULL,               -- pending | delivered | dead | unroutable
  attempts           integer NOT NULL DEFAULT 0,
  not_before         timestamptz NOT NULL,        -- digest window, quiet hours, backoff
  lease_until        timestamptz,                 -- a sender has it in hand until then
  message_id         text,                        -- the message it went out in (a digest's id when merged)
  last_error         text,                        -- redacted: never a secret
  created_at         timestamptz NOT NULL DEFAULT now(),
  last_attempt_at    timestamptz,
  delivered_at       timestamptz
);
CREATE INDEX deliveries_pending_idx ON deliveries (unit_code, channel_id, not_before) WHERE status = 'pending';
CREATE INDEX deliveries_item_idx ON deliveries (item_id, created_at);
CREATE INDEX deliveries_unit_idx ON deliveries (unit_code, created_at);
CREATE INDEX deliveries_dead_idx ON deliveries (created_at) WHERE status = 'dead';
