-- Co-owner units (双包保) find their tasks and items too: `co_owners @> ARRAY[unit]` uses this index.
CREATE INDEX tasks_co_owners_idx ON tasks USING gin (co_owners);
