-- What a message said, as it was first sent: a retry sends these exact words under the same id,
-- so a receiver that drops repeats by id loses nothing and a digest is never split differently.
CREATE TABLE delivery_messages (
  id          text PRIMARY KEY,                   -- the message id receivers see (deliveries.message_id)
  unit_code   text NOT NULL,
  channel_id  text NOT NULL,
  title       text NOT NULL,
  markdown    text NOT NULL,
  body_text   text NOT NULL,
  level       integer,
  deliveries  text[] NOT NULL,                    -- every delivery the message carries, in its order
  created_at  timestamptz NOT NULL DEFAULT now()
);
