CREATE TABLE note (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title text NOT NULL UNIQUE CHECK (char_length(title) BETWEEN 1 AND 100)
);

-- migrate:down
DROP TABLE note;
