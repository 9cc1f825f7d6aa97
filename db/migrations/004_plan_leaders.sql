-- The leaders who answer for a plan: they decide on every item of the plan, besides each item's own leader.
ALTER TABLE plans ADD COLUMN leader_ids text[] NOT NULL DEFAULT '{}';
UPDATE plans SET leader_ids = ARRAY[created_by];
CREATE INDEX plans_leader_ids_idx ON plans USING gin (leader_ids);
