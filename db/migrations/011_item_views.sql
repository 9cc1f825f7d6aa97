-- The whole item as leaders, supervisors and admins read it (GET /items/:id),
-- kept with its row by every save, so the common read is one indexed row.
-- NULL until the item's next save, and again after one of its units is
-- renamed (the names are in it): readers then compose it from the rows.
ALTER TABLE items ADD COLUMN view jsonb;
