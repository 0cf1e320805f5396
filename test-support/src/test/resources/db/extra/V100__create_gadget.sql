CREATE TABLE gadget (
    name TEXT PRIMARY KEY
);
