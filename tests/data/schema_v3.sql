-- The hcpcs store: releases side by side, each with its provenance.
-- Lists are JSON arrays in file order; dates are ISO YYYY-MM-DD text.
PRAGMA user_version = 3;

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE releases (
    label TEXT PRIMARY KEY,            -- YYYY-MM, the month the release takes effect
    effective_date TEXT NOT NULL,
    loaded_at TEXT NOT NULL,           -- UTC, ISO 8601
    procedures INTEGER NOT NULL,
    modifiers INTEGER NOT NULL,
    record_file TEXT NOT NULL          -- the file the records were read from
);

CREATE TABLE sources (
    release TEXT NOT NULL REFERENCES releases(label) ON DELETE CASCADE,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (release, file)
);
CREATE INDEX sources_by_sha256 ON sources(sha256);

CREATE TABLE codes (
    id INTEGER PRIMARY KEY,
    release TEXT NOT NULL REFERENCES releases(label) ON DELETE CASCADE,
    code TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('procedure', 'modifier')),
    long_description TEXT,
    short_description TEXT,
    pricing_indicators TEXT NOT NULL,
    multiple_pricing_indicator TEXT,
    cim_references TEXT NOT NULL,
    mcm_references TEXT NOT NULL,
    statute TEXT,
    lab_certifications TEXT NOT NULL,
    cross_references TEXT NOT NULL,
    coverage TEXT,
    asc_group TEXT,
    asc_effective_date TEXT,
    mog_payment_group TEXT,
    mog_payment_policy_indicator TEXT,
    mog_effective_date TEXT,
    processing_note TEXT,
    betos TEXT,
    type_of_service TEXT NOT NULL,
    anesthesia_base_units INTEGER,
    added_date TEXT,
    action_effective_date TEXT,
    termination_date TEXT,
    action_code TEXT,
    UNIQUE (release, code)
);
CREATE INDEX codes_by_code ON codes(code, release);

-- Full-text index over code and descriptions (external content: the codes table). A release's
-- codes get contiguous ids, so a search keeps to one release with a rowid range. Porter stems
-- fold plurals; prefix indexes make as-you-type prefixes cheap.
CREATE VIRTUAL TABLE codes_fts USING fts5(
    code, short_description, long_description,
    content = 'codes', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3 4'
);

CREATE TABLE processing_notes (
    release TEXT NOT NULL REFERENCES releases(label) ON DELETE CASCADE,
    number TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (release, number)
);

CREATE TABLE noc_codes (
    release TEXT NOT NULL REFERENCES releases(label) ON DELETE CASCADE,
    code TEXT NOT NULL,
    description TEXT NOT NULL,
    added_date TEXT,
    termination_date TEXT,
    PRIMARY KEY (release, code)
);

CREATE TABLE change_reports (
    release TEXT NOT NULL REFERENCES releases(label) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    action TEXT NOT NULL,              -- CMS's wording, e.g. 'Long Description Change'
    action_code TEXT,                  -- the record's action code it stands for
    short_description TEXT,
    long_description TEXT,
    PRIMARY KEY (release, position)
);

CREATE TABLE load_warnings (
    release TEXT NOT NULL REFERENCES releases(label) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (release, position)
);
