-- Every text column of the app now has a bounded length; before this, article.content and item.description had none,
-- and one list page of 25 MB articles took the app to gigabytes of memory. The numbers match
-- Features/Articles/ArticleRules.cs and Features/Items/ItemRules.cs, so the API answers 422 before the database would
-- refuse the row; the CHECKs are the last line of defence for writes that do not go through the API.
--
-- Bounds of the largest response (GET /articles?limit=100): 100 rows x (20,000 + 60 characters) is at most ~2 MB of
-- ASCII text and at most ~8 MB in the worst case of 4-byte UTF-8 characters, per request.
--
-- The constraints are validated here (no NOT VALID): a database that already holds longer values fails this migration,
-- naming the constraint, and the migration's transaction leaves nothing changed. Shorten or move those rows, then
-- start the app again. (Validating scans each table once under its ALTER TABLE lock.)
ALTER TABLE article ADD CONSTRAINT article_content_length CHECK (char_length(content) <= 20000);
ALTER TABLE item ADD CONSTRAINT item_description_length CHECK (char_length(description) <= 1000);

-- migrate:down
ALTER TABLE item DROP CONSTRAINT item_description_length;
ALTER TABLE article DROP CONSTRAINT article_content_length;
