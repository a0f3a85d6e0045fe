-- The "new version" of samples/scale-out's rolling deploy: an expand step. A nullable column with no default is a
-- catalog-only change (no table rewrite, a brief ACCESS EXCLUSIVE lock), and the old version, which never names it,
-- keeps working while instances still run it.
ALTER TABLE item ADD COLUMN note text;
