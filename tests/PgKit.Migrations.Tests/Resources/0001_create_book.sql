CREATE TABLE book (id int PRIMARY KEY, title text NOT NULL);

-- migrate:down
DROP TABLE book;
