ALTER TABLE book ADD COLUMN year int;

-- migrate:down
ALTER TABLE book DROP COLUMN year;
