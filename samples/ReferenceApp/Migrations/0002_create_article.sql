-- The blog's articles, as the blog seed first created them: the text column is called description.
-- 0003 renames it, the step the seed got wrong.
CREATE TABLE article (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The cascade is the database's: deleting an author deletes its articles in the same statement,
    -- with no ORM loading them first (the seed's cascade was ORM-side only).
    author_id bigint NOT NULL CONSTRAINT article_author_id_fkey REFERENCES author (id) ON DELETE CASCADE,
    title text NOT NULL CONSTRAINT article_title_length CHECK (char_length(title) BETWEEN 1 AND 60),
    description text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Serves GET /articles?author_id=..., which pages by id, and the cascade's lookup of an author's articles.
CREATE INDEX article_author_id_id ON article (author_id, id);

CREATE TRIGGER article_set_updated_at BEFORE UPDATE ON article
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- migrate:down
DROP TABLE article;
