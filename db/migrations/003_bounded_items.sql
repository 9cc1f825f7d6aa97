-- Bounded items: the workflow keeps no text, and saves only what changed.
-- Text columns are written when the text arrives and kept when a later save
-- carries none; rows carry the version they were saved at, so a late save
-- never overwrites a newer one; records carry the units they are about, so
-- visibility follows the unit, not the task's current owner.

ALTER TABLE items ADD COLUMN max_escalation_level integer NOT NULL DEFAULT 0;

ALTER TABLE problems ALTER COLUMN description DROP NOT NULL;
ALTER TABLE problems ADD COLUMN version integer NOT NULL DEFAULT 0;
ALTER TABLE problems ADD COLUMN as_of timestamptz NOT NULL DEFAULT '1970-01-01T00:00:00Z';

ALTER TABLE tasks ALTER COLUMN description DROP NOT NULL;
ALTER TABLE tasks ALTER COLUMN deadline_basis DROP NOT NULL;
ALTER TABLE tasks ADD COLUMN version integer NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN as_of timestamptz NOT NULL DEFAULT '1970-01-01T00:00:00Z';
ALTER TABLE tasks ADD COLUMN deadline_resolved_at timestamptz;
ALTER TABLE tasks ADD COLUMN report_count integer NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN submitted_at timestamptz;
ALTER TABLE tasks ADD COLUMN extensions_denied integer NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN pending_extension jsonb;
ALTER TABLE tasks ADD COLUMN alarms jsonb;
ALTER TABLE tasks ADD COLUMN max_escalation_level integer NOT NULL DEFAULT 0;
UPDATE tasks SET max_escalation_level = escalation_level;

ALTER TABLE audit_events ADD COLUMN units text[] NOT NULL DEFAULT '{}';
ALTER TABLE notifications ADD COLUMN units text[] NOT NULL DEFAULT '{}';
ALTER TABLE escalations ADD COLUMN units text[] NOT NULL DEFAULT '{}';
-- Rows written before: the best knowledge is the task's units now (escalations knew their unit).
UPDATE escalations SET units = ARRAY[owner_unit];
UPDATE audit_events a SET units = ARRAY[t.owner_unit] || t.co_owners
  FROM tasks t WHERE t.item_id = a.item_id AND t.id = a.task_id;
UPDATE notifications n SET units = ARRAY[t.owner_unit] || t.co_owners
  FROM tasks t WHERE t.item_id = n.item_id AND t.id = n.task_id;
CREATE INDEX audit_events_units_idx ON audit_events USING gin (units);
CREATE INDEX notifications_units_idx ON notifications USING gin (units);
CREATE INDEX escalations_units_idx ON escalations USING gin (units);

-- A dispatch of a large item is saved in several batches: its lines are rows of their own.
CREATE TABLE dispatch_lines (
  item_id           text NOT NULL,
  seq               integer NOT NULL,
  task_id           text NOT NULL,
  owner_unit        text NOT NULL,
  co_owners         text[] NOT NULL DEFAULT '{}',
  owner_person      text NOT NULL,
  status            text NOT NULL,
  percent           integer NOT NULL,
  last_progress_at  timestamptz,
  due_at            timestamptz NOT NULL,
  ms_to_deadline    bigint NOT NULL,
  light             text NOT NULL,
  stale             boolean NOT NULL,
  PRIMARY KEY (item_id, seq, task_id)
);
CREATE INDEX dispatch_lines_units_idx ON dispatch_lines USING gin ((ARRAY[owner_unit] || co_owners));
INSERT INTO dispatch_lines (item_id, seq, task_id, owner_unit, co_owners, owner_person, status, percent,
                            last_progress_at, due_at, ms_to_deadline, light, stale)
SELECT d.item_id, d.seq, l->>'taskId', l->>'ownerUnit', '{}', l->>'ownerPerson', l->>'status', (l->>'percent')::integer,
       (l->>'lastProgressAt')::timestamptz, (l->>'dueAt')::timestamptz, (l->>'msToDeadline')::bigint, l->>'light',
       (l->>'stale')::boolean
FROM dispatches d, jsonb_array_elements(d.record->'lines') l
ON CONFLICT DO NOTHING;
UPDATE dispatches SET record = record - 'lines';

-- Saves that keep failing, so a stuck item is listed (GET /ops/stuck) and not silent.
CREATE TABLE item_save_failures (
  item_id          text PRIMARY KEY,
  attempts         integer NOT NULL,
  last_error       text NOT NULL,
  first_failed_at  timestamptz NOT NULL,
  last_failed_at   timestamptz NOT NULL
);

-- A large item is saved in several batches, its own row last (its version moves once everything
-- before it landed): task and problem rows may arrive before the item row exists.
ALTER TABLE problems DROP CONSTRAINT problems_item_id_fkey;
ALTER TABLE tasks DROP CONSTRAINT tasks_item_id_fkey;

-- Every unit a task of an item ever had: an owner keeps sight of the item, and of its
-- records about their unit, after the task moves to another unit.
CREATE TABLE item_units (
  unit     text NOT NULL,
  item_id  text NOT NULL,
  PRIMARY KEY (unit, item_id)
);
CREATE INDEX item_units_item_idx ON item_units (item_id);
INSERT INTO item_units (unit, item_id)
  SELECT DISTINCT u, item_id FROM tasks, unnest(ARRAY[owner_unit] || co_owners) AS u
ON CONFLICT DO NOTHING;

-- The latest progress report and submission of a task, for the item view.
CREATE INDEX audit_events_task_action_idx ON audit_events (item_id, task_id, action, seq);

-- Item rows keep their own fields and figures; problems and tasks are rows of their own.
UPDATE items SET state = (state - 'tasks' - 'problems' - 'cancelReason') || jsonb_build_object('figures',
  jsonb_build_object('light', light, 'ownerUnits', to_jsonb(owner_units), 'openTasks', open_tasks,
    'overdueTasks', overdue_tasks, 'openProblems', open_problems, 'escalationLevel', escalation_level,
    'maxEscalationLevel', escalation_level)
  || CASE WHEN next_deadline IS NULL THEN '{}'::jsonb
          ELSE jsonb_build_object('nextDeadline', to_char(next_deadline AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) END);
