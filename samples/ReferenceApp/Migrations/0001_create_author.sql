-- The blog's authors. Name limits live here as CHECK constraints and in Features/Authors/AuthorRules.cs, with
-- the same numbers, so the API answers 422 before the database would refuse the row.

-- updated_at is the database's job: this trigger function stamps it on every UPDATE, whatever the client sends.
CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TABLE author (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_name text NOT NULL CONSTRAINT author_first_name_length CHECK (char_length(first_name) BETWEEN 1 AND 25),
    last_name text NOT NULL CONSTRAINT author_last_name_length CHECK (char_length(last_name) BETWEEN 1 AND 25),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER author_set_updated_at BEFORE UPDATE ON author
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- migrate:down
DROP TABLE author;
DROP FUNCTION set_updated_at();
