-- Owners' applications for a house number (门牌编号申请), entered by staff: the documents
-- received, the day the decision is due, the decision, and the address it assigned.
CREATE TABLE address_applications (
    id              INTEGER PRIMARY KEY,
    road_id         INTEGER NOT NULL REFERENCES places(id),
    division_code   TEXT NOT NULL,
    applicant       TEXT NOT NULL,
    lon             REAL NOT NULL,
    lat             REAL NOT NULL,
    -- JSON list of the documents received (building permit, site plan …).
    documents       TEXT NOT NULL,
    filed_on        TEXT NOT NULL,
    decision_due    TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('filed', 'approved', 'rejected')),
    decided_on      TEXT,
    decision_note   TEXT,
    address_id      INTEGER REFERENCES addresses(id),
    version         INTEGER NOT NULL,
    created_by_name TEXT NOT NULL
);
CREATE INDEX address_applications_due ON address_applications(state, decision_due);
