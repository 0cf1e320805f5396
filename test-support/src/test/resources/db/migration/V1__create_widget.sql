CREATE TABLE widget (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A foreign key into widget, so truncation has to handle dependent tables.
CREATE TABLE widget_part (
    widget_id BIGINT NOT NULL REFERENCES widget (id),
    part      TEXT NOT NULL,
    PRIMARY KEY (widget_id, part)
);
