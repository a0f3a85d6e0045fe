-- The blog seed's "description renamed" migration added content and dropped description, which deletes the
-- text of every article. RENAME COLUMN keeps the data and only changes the catalog: no table rewrite.
ALTER TABLE article RENAME COLUMN description TO content;

-- migrate:down
ALTER TABLE article RENAME COLUMN content TO description;
