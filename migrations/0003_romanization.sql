-- Romanizations staff corrected by hand (罗马字母拼写 corrected where the rules or tables were
-- wrong): kept with who/when/why and the record they came from, and used for that name in that
-- division from then on. Append-only: a later correction supersedes an earlier one.

CREATE TABLE romanization_corrections (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL,
    division_code       TEXT NOT NULL,
    category_code       TEXT NOT NULL,
    romanization        TEXT NOT NULL,
    generic             TEXT,
    engine_said         TEXT,
    reason              TEXT NOT NULL,
    place_id            INTEGER NOT NULL REFERENCES places(id),
    place_version       INTEGER NOT NULL,
    classification      TEXT NOT NULL,
    corrected_at        TEXT NOT NULL,
    corrected_by        INTEGER REFERENCES users(id),
    corrected_by_name   TEXT NOT NULL
);
CREATE INDEX romanization_corrections_name ON romanization_corrections(name, division_code);

CREATE TRIGGER romanization_corrections_no_update BEFORE UPDATE ON romanization_corrections
BEGIN SELECT RAISE(ABORT, 'romanization corrections are append-only'); END;
CREATE TRIGGER romanization_corrections_no_delete BEFORE DELETE ON romanization_corrections
BEGIN SELECT RAISE(ABORT, 'romanization corrections are append-only'); END;
