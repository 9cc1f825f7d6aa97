-- A resent dead letter starts a new round of retries: its give-up time counts from the resend,
-- and who resent it, when, stays on record.
ALTER TABLE deliveries ADD COLUMN resent_at timestamptz;
ALTER TABLE deliveries ADD COLUMN resent_by text;
