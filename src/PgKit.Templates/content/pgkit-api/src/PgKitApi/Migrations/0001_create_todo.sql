-- The first migration: one table. Add 0002_....sql next to it for the next change (`pgkit migrate new <name>`).
CREATE TABLE todo (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title       text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    done        boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE todo;
