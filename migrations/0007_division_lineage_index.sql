-- A division's states across code changes are found by its lineage.
CREATE INDEX divisions_lineage ON divisions(lineage);
