-- Items, with the fpas seed's columns. Name limits match Features/Items/ItemRules.cs.
CREATE TABLE item (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL CONSTRAINT item_name_length CHECK (char_length(name) BETWEEN 1 AND 64),
    description text,
    is_active boolean NOT NULL DEFAULT true,
    created_timestamp timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT item_name_uix UNIQUE (name)
);

-- migrate:down
DROP TABLE item;
