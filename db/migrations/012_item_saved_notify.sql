-- Every write of an item's row tells listeners which item changed, at commit:
-- an API reader waiting for its own write to reach the read side (read your
-- writes, ?minVersion, ?consistency=live) is woken by the save itself instead
-- of asking the database again and again. The payload is the item id (at most
-- 64 characters; NOTIFY allows 8,000 bytes). Identical notifications within one
-- transaction are folded into one by PostgreSQL.
CREATE FUNCTION notify_item_saved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('item_saved', NEW.id);
  RETURN NULL;
END
$$;

CREATE TRIGGER items_notify_saved AFTER INSERT OR UPDATE ON items
  FOR EACH ROW EXECUTE FUNCTION notify_item_saved();
