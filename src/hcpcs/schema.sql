-- The hcpcs store: releases side by side, each with its provenance.
-- Lists are JSON arrays in file order; dates are ISO YYYY-MM-DD text.
PRAGMA user_version = 5;

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

-- Schema 4 --------------------------------------------------------------------------------
-- A value that does not fit its field inside an otherwise well-formed file (2018's C9488: an
-- ASC date two columns early): the canonical field is null, CMS's raw text is kept here.
CREATE TABLE anomalies (
    release TEXT NOT NULL REFERENCES releases(label) ON DELETE CASCADE,
    code TEXT NOT NULL,
    field TEXT NOT NULL,               -- the canonical field left null
    raw TEXT NOT NULL,                 -- the text as the file has it
    file TEXT NOT NULL,
    place TEXT NOT NULL,               -- the line number, or "row N" of a workbook
    problem TEXT NOT NULL,
    PRIMARY KEY (release, code, field)
);

-- CMS's errata to a release (2026: a corrections workbook in the zip; earlier years: a
-- separate corrections zip), row by row as CMS wrote them.
CREATE TABLE corrections (
    release TEXT NOT NULL REFERENCES releases(label) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    file TEXT NOT NULL,
    issued TEXT,                       -- the date in the file name (ISO), when it has one
    code TEXT NOT NULL,
    action TEXT NOT NULL,              -- 'Revise TOS', 'Terminate', ...
    effective_date TEXT,               -- ISO, or the raw text when it is not a date
    details TEXT NOT NULL,             -- JSON object: the other columns CMS filled in
    PRIMARY KEY (release, position)
);
CREATE INDEX corrections_by_code ON corrections(code, release);

-- Every file a release was given as (zip members too): what it was read as, or 'ignored'.
CREATE TABLE members (
    release TEXT NOT NULL REFERENCES releases(label) ON DELETE CASCADE,
    file TEXT NOT NULL,                -- 'zip name/member name' inside a zip
    role TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (release, file)
);

-- Schema 5 --------------------------------------------------------------------------------
-- Medicare Part B drug files by quarter (YYYY-MM, its first month): CMS's ASP payment limit
-- file and its NDC-HCPCS crosswalk. A quarter's two files may be loaded separately; each kind
-- of a quarter is stored whole or not at all. Level I (CPT) rows are left out (counted here).
CREATE TABLE drug_files (
    quarter TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('payment_limits', 'crosswalk')),
    effective_from TEXT NOT NULL,      -- the file's "Effective ... through ..." line
    effective_until TEXT NOT NULL,
    rows INTEGER NOT NULL,             -- Level II rows stored
    level_i_rows INTEGER NOT NULL,     -- Level I (CPT) rows left out
    read_from TEXT NOT NULL,           -- the file read: CMS's, or the bundled Level II extract of it
    loaded_at TEXT NOT NULL,           -- UTC, ISO 8601
    PRIMARY KEY (quarter, kind)
);

-- CMS's files a quarter's kind was read from ('zip name/member name' inside a zip), with sha256.
CREATE TABLE drug_sources (
    quarter TEXT NOT NULL,
    kind TEXT NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (quarter, kind, file),
    FOREIGN KEY (quarter, kind) REFERENCES drug_files(quarter, kind) ON DELETE CASCADE
);

-- One row per Level II code of a quarter's payment limit file; dollars per billing unit.
-- (Rows of a quarter's kind are deleted with its drug_files row: hcpcs.drugs.storage.)
CREATE TABLE drug_payment_limits (
    quarter TEXT NOT NULL,
    code TEXT NOT NULL,
    short_description TEXT,
    dosage TEXT,                       -- the billing unit ("HCPCS Code Dosage": 250 MG, 1 ML)
    payment_limit REAL,
    coinsurance_percentage REAL,
    vaccine_awp_percentage REAL,
    vaccine_limit REAL,
    blood_awp_percentage REAL,
    blood_limit REAL,
    clotting_factor TEXT,
    notes TEXT,
    PRIMARY KEY (quarter, code)
) WITHOUT ROWID;
CREATE INDEX drug_payment_limits_by_code ON drug_payment_limits(code, quarter);

-- One row per NDC package (Level II codes only) of a quarter's crosswalk, in file order.
CREATE TABLE drug_crosswalk (
    quarter TEXT NOT NULL,
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    short_description TEXT,
    labeler TEXT,
    ndc TEXT,                          -- 11-digit 5-4-2 with dashes; null when NDC2 is no NDC
    product_id TEXT NOT NULL,          -- NDC2 as CMS wrote it (some are catalog numbers)
    drug_name TEXT,
    hcpcs_dosage TEXT,
    package_size REAL,
    package_quantity REAL,
    billing_units_per_item REAL,
    billing_units_per_package REAL,
    PRIMARY KEY (quarter, code, position)
) WITHOUT ROWID;
CREATE INDEX drug_crosswalk_by_ndc ON drug_crosswalk(ndc, quarter);

-- CMS's quirks met while reading a quarter's file (a payment limit 'N/A', '21.3125?' units).
CREATE TABLE drug_warnings (
    quarter TEXT NOT NULL,
    kind TEXT NOT NULL,
    position INTEGER NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (quarter, kind, position),
    FOREIGN KEY (quarter, kind) REFERENCES drug_files(quarter, kind) ON DELETE CASCADE
);
