-- Read side of the rectification engine. The item workflows are the truth;
-- these tables are projections written idempotently by activities, plus plans
-- (which are not workflows) and the notification outbox.

CREATE TABLE plans (
  id            text PRIMARY KEY,
  title         text NOT NULL,
  source        text,
  categories    text[] NOT NULL DEFAULT '{}',
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE items (
  id                 text PRIMARY KEY,
  plan_id            text,
  title              text NOT NULL,
  source             text,
  category           text,
  supervision_level  text NOT NULL,
  leader_id          text NOT NULL,
  leader_name        text NOT NULL,
  status             text NOT NULL,               -- active | completed | cancelled
  light              text NOT NULL,               -- worst light of its open tasks
  owner_units        text[] NOT NULL DEFAULT '{}',
  open_tasks         integer NOT NULL,
  overdue_tasks      integer NOT NULL,
  open_problems      integer NOT NULL,
  escalation_level   integer NOT NULL,            -- highest level among open tasks
  next_deadline      timestamptz,                 -- earliest due of open tasks
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  completed_at       timestamptz,
  cancelled_at       timestamptz,
  version            integer NOT NULL,            -- the workflow's audit sequence: older snapshots never overwrite newer
  as_of              timestamptz NOT NULL,        -- workflow time of the snapshot
  state              jsonb NOT NULL               -- the whole snapshot, for ledgers and debugging
);
CREATE INDEX items_plan_idx ON items (plan_id, created_at, id);
CREATE INDEX items_status_idx ON items (status, created_at, id);
CREATE INDEX items_level_idx ON items (supervision_level, created_at, id);
CREATE INDEX items_light_idx ON items (light, created_at, id);
CREATE INDEX items_next_deadline_idx ON items (next_deadline, id);
CREATE INDEX items_created_idx ON items (created_at, id);
CREATE INDEX items_owner_units_idx ON items USING gin (owner_units);

CREATE TABLE problems (
  item_id      text NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  id           text NOT NULL,
  description  text NOT NULL,
  severity     text NOT NULL,
  status       text NOT NULL,                     -- open | closed
  closed_at    timestamptz,
  PRIMARY KEY (item_id, id)
);

CREATE TABLE tasks (
  item_id            text NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  id                 text NOT NULL,
  problem_ids        text[] NOT NULL,
  description        text NOT NULL,
  measures           text,
  owner_unit         text NOT NULL,
  owner_person       text NOT NULL,
  co_owners          text[] NOT NULL DEFAULT '{}',
  status             text NOT NULL,               -- assigned | inProgress | submitted | accepted | cancelled
  light              text NOT NULL,
  percent            integer NOT NULL,
  assigned_at        timestamptz NOT NULL,
  due_at             timestamptz NOT NULL,
  original_due_at    timestamptz NOT NULL,
  deadline_basis     text NOT NULL,
  deadline_spec      jsonb NOT NULL,
  last_progress_at   timestamptz,
  rework_count       integer NOT NULL,
  escalation_level   integer NOT NULL,
  extensions_approved integer NOT NULL,
  stale              boolean NOT NULL,
  accepted_at        timestamptz,
  cancelled_at       timestamptz,
  PRIMARY KEY (item_id, id)
);
CREATE INDEX tasks_owner_unit_idx ON tasks (owner_unit, status, due_at);
CREATE INDEX tasks_due_idx ON tasks (status, due_at);

CREATE TABLE audit_events (
  item_id      text NOT NULL,
  seq          integer NOT NULL,
  at           timestamptz NOT NULL,
  actor_id     text NOT NULL,
  actor_name   text NOT NULL,
  actor_role   text NOT NULL,
  actor_unit   text,
  action       text NOT NULL,
  request_id   text,
  task_id      text,
  details      jsonb NOT NULL,
  PRIMARY KEY (item_id, seq)
);

CREATE TABLE escalations (
  item_id      text NOT NULL,
  task_id      text NOT NULL,
  due_at       timestamptz NOT NULL,
  rung         integer NOT NULL,
  level        integer NOT NULL,
  owner_unit   text NOT NULL,
  notify       text[] NOT NULL,
  fired_at     timestamptz NOT NULL,
  PRIMARY KEY (item_id, task_id, due_at, rung)
);
CREATE INDEX escalations_fired_idx ON escalations (fired_at, item_id, task_id);
CREATE INDEX escalations_unit_idx ON escalations (owner_unit, fired_at);

-- The outbox: a delivery process reads undelivered rows; `key` makes every write idempotent.
CREATE TABLE notifications (
  key             text PRIMARY KEY,
  item_id         text NOT NULL,
  task_id         text,
  kind            text NOT NULL,
  recipient_role  text NOT NULL,
  recipient       text NOT NULL,
  reason          text NOT NULL,
  level           integer,
  due_at          timestamptz,
  fired_at        timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  delivered_at    timestamptz
);
CREATE INDEX notifications_undelivered_idx ON notifications (created_at) WHERE delivered_at IS NULL;
CREATE INDEX notifications_item_idx ON notifications (item_id, fired_at);

CREATE TABLE dispatches (
  item_id       text NOT NULL,
  seq           integer NOT NULL,
  at            timestamptz NOT NULL,
  open_tasks    integer NOT NULL,
  stale_tasks   integer NOT NULL,
  overdue_tasks integer NOT NULL,
  record        jsonb NOT NULL,
  PRIMARY KEY (item_id, seq)
);

CREATE TABLE reviews (
  item_id          text NOT NULL,
  seq              integer NOT NULL,
  at               timestamptz NOT NULL,
  period           text NOT NULL,
  completion_rate  double precision NOT NULL,
  overdue_count    integer NOT NULL,
  risk             text NOT NULL,
  record           jsonb NOT NULL,
  PRIMARY KEY (item_id, seq)
);
