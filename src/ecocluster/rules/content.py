"""The rules of what the files hold: each cell, the data model's text conventions, and the rules
across rows and tables."""

from .rule import Rule

RULES = [
    # Cell: what the Table Schema says about each field.
    Rule(
        "required-missing",
        "cell",
        "A required cell is empty",
        "`{field}` is required but empty",
        "Fill in the value; if it is unknown, the row may not belong in the data yet.",
        "The field is `required` in the Table Schema (primary-key fields always are) but the cell is empty.",
    ),
    Rule(
        "type-invalid",
        "cell",
        "A cell does not have the field's type",
        "`{value}` is not a valid {detail}",
        "Write the value in the field's type: a plain number such as 52.82 (a dot for decimals, no "
        "thousands separator or unit), true/false, a date as YYYY-MM-DD, a year as YYYY.",
        "The field's `type` is number, integer, boolean, date (a real calendar day written YYYY-MM-DD) or "
        "year (four digits) and the cell cannot be read as one.",
    ),
    Rule(
        "length-invalid",
        "cell",
        "A text is too short or too long",
        "`{value}` is {detail}",
        "Shorten or complete the text to fit the field's minLength and maxLength.",
        "The field has `constraints.minLength` or `maxLength` and the cell's length in characters "
        "(Unicode code points, as frictionless counts them) is outside them.",
    ),
    Rule(
        "out-of-range",
        "cell",
        "A number is out of range",
        "`{value}` is {detail}",
        "Check the value against the field's minimum and maximum in the Table Schema.",
        "The number is below the field's `minimum` or above its `maximum`.",
    ),
    Rule(
        "enum-invalid",
        "cell",
        "A code is not in the field's list",
        "`{value}` is not one of: {detail}",
        "Use one of the listed codes exactly (lowercase, kebab-case).",
        "The field has `constraints.enum` and the cell holds another value.",
    ),
    Rule(
        "pattern-mismatch",
        "cell",
        "A cell does not match the field's pattern",
        "`{value}` does not match `{detail}`",
        "Write the value in the form the field's pattern describes.",
        "The cell does not match the field's `constraints.pattern` (and the field is not an ID, date, "
        "language or country, which have their own codes).",
    ),
    Rule(
        "id-invalid",
        "cell",
        "An ID is not a slug with the table's prefix",
        "`{value}` is not a valid ID: {detail}",
        "IDs are lowercase slugs that start with the table's prefix, e.g. `org-renault-korea`.",
        "A primary-key `id` does not match the table's ID pattern `^<prefix>-[a-z0-9]+(-[a-z0-9]+)*$`.",
    ),
    Rule(
        "date-invalid",
        "cell",
        "A date is not a real reduced-precision date",
        "`{value}` is {detail}",
        "Write YYYY, YYYY-MM or YYYY-MM-DD for a day that exists; leave the cell empty if unknown.",
        "Date fields hold ISO 8601 dates of reduced precision; a full date must be a real calendar day "
        "(2023-02-30 is refused).",
    ),
    Rule(
        "date-out-of-range",
        "cell",
        "A date is outside the years this data model can hold",
        "`{value}` is {detail}",
        "Check the year: dates run from 1000 to 9999, and may not reach 9999-12-31.",
        "A date's year is from 1000 to 9999 and its latest day is before 9999-12-31: year 0000 exists in "
        "no calendar the exports use, years before 1000 are not four-digit years in every tool, and on "
        "9999-12-31 the next day (the exclusive end of a range) overflows Python's `date` and polars' "
        "`offset_by` (tested in tests/validation/test_hostile_validation.py). So `9999`, `9999-12` and `9999-12-31` "
        "are refused, `9999-12-30` is accepted.",
    ),
    Rule(
        "language-invalid",
        "cell",
        "A language is not a registered BCP 47 tag",
        "`{value}` is not an accepted BCP 47 language tag: {detail}",
        "Write a registered language with optional Script and REGION, e.g. en, ko, ko-Latn, fr, zh-Hans.",
        "Language fields hold BCP 47 tags, checked against the IANA Language Subtag Registry and CLDR's "
        "likely subtags (the `langcodes` library and its `language-data`), once per distinct value: "
        "(1) the shape `language[-Script][-REGION]`: a 2–3 letter lowercase language, an optional "
        "title-case script, an optional uppercase region or 3-digit area; (2) every subtag is registered "
        "(`zz`, `qq-Zzzz` are refused); (3) the tag is canonical: no deprecated subtag (`iw`, write `he`) "
        "and no script the registry suppresses for the language (`en-Latn`, write `en`); (4) no "
        "private-use or special subtag (`qaa`–`qtz`, `und`, `mis`, `mul`, `zxx`, `Zzzz`, `Zyyy`, "
        "`Qaaa`–`Qabx`, `AA`, `QM`–`QZ`, `XA`–`XZ`, `ZZ`); (5) a script is one the language is written "
        "in: its CLDR likely script, a script CLDR's likely subtags pair with it (`zh-Hant`, `ko-Hang`), "
        "or `Latn` for a romanisation (`ko-Latn`). `en-Kore` is well-formed and registered, but refused "
        "by (5).",
    ),
    Rule(
        "country-invalid",
        "cell",
        "A country is not an ISO 3166-1 alpha-2 code",
        "`{value}` is not an assigned ISO 3166-1 alpha-2 code",
        "Write the two uppercase letters of an assigned code, e.g. KR, FR, CN (GB, not UK).",
        "Country fields hold one of the 249 officially assigned ISO 3166-1 alpha-2 codes (the list is "
        "embedded, and a test keeps it equal to `pycountry`'s).",
    ),
    Rule(
        "uri-invalid",
        "cell",
        "A URL is not a URI",
        "`{value}` is not a URI",
        "Write the full address with its scheme, e.g. https://example.org/page, without spaces.",
        "A field with `format: uri` holds something without a scheme or with spaces.",
    ),
    Rule(
        "uri-scheme-invalid",
        "cell",
        "A URL is not an http or https link",
        "`{value}` is not an http:// or https:// link with a host",
        "Give the page's web address, starting with https:// (or http://).",
        "A `format: uri` field is a link readers follow from the site and the exports, so only `http` and "
        "`https` with a host are accepted: `javascript:`, `data:`, `file:`, `mailto:` and the like are refused.",
    ),
    Rule(
        "unique-duplicate",
        "cell",
        "A unique value is repeated",
        "`{value}` {detail}",
        "Make the value unique, or merge the two rows.",
        "The field has `constraints.unique`; this row repeats a value seen on an earlier line.",
    ),
    # Across rows, and for a table with prefixed IDs found with every ID of the package (validation/keys.py):
    # so level "cross". Listed here still, so that the rules' order (SARIF's rule indexes) stays.
    Rule(
        "primary-key-duplicate",
        "cross",
        "A primary key is repeated",
        "`{value}` {detail}",
        "Give the row its own key, or merge it with the earlier row.",
        "This row repeats the primary key (one or more columns) of an earlier row of the same table.",
    ),
    # Text conventions of the data model.
    Rule(
        "text-control-character",
        "cell",
        "Text holds a control character",
        "the text holds the control character {detail}",
        "Remove the character (often pasted from a terminal or another program); free text may hold only "
        "tabs and line breaks.",
        "No cell holds a C0 control character other than tab and line feed (so no NUL, CR or escape), DEL or "
        "a C1 control (U+0080–U+009F). They break the exports (a NUL ends a C string) or, as ANSI escapes, "
        "take over a terminal.",
    ),
    Rule(
        "text-invisible",
        "cell",
        "Text holds an invisible format character",
        "`{value}` holds the invisible character {detail}",
        "Delete the invisible character (retype the value); it makes text look like something it is not.",
        "No cell holds a Unicode format character (category Cf): bidi overrides and isolates "
        "(U+202A–U+202E, U+2066–U+2069), zero-width spaces and joiners (U+200B–U+200D), the byte order mark "
        "(U+FEFF), a soft hyphen (U+00AD) and the like. In an ID or any other patterned or coded field the "
        "value then also fails its pattern; in free text it is flagged by this code alone. The value "
        "in text reports shows the character escaped (`\\u202e`).",
    ),
    Rule(
        "text-not-nfc",
        "cell",
        "Text is not in Unicode NFC",
        "the text is not NFC-normalised",
        "Re-type the accented letters or normalise the file to NFC (e.g. `uconv -x any-nfc`).",
        "Text must be in Unicode Normalization Form C, so equal-looking names compare equal.",
    ),
    Rule(
        "text-stray-space",
        "cell",
        "Text has leading or trailing space",
        "`{value}` has leading or trailing space",
        "Remove the spaces (and tabs or line breaks) at the start and end of the cell.",
        "A cell starts or ends with whitespace.",
    ),
    Rule(
        "formula-unsafe",
        "cell",
        "A cell would run as a spreadsheet formula",
        "`{value}` starts with `{detail}`",
        "Reword the cell so it does not start with = + - or @ (numbers and dates may).",
        "A cell starting with `=`, `+`, `-` or `@` is run as a formula when the CSV is opened in a "
        "spreadsheet (CSV injection); numbers and dates are allowed.",
    ),
    # Cross-table: rules of the data model beyond what Table Schema can say.
    Rule(
        "id-duplicate-across-tables",
        "cross",
        "An ID is used in two tables",
        "`{value}` is also an ID in {detail}",
        "IDs are unique across the whole package: rename one of them.",
        "Every ID is unique across all tables, not only its own.",
    ),
    Rule(
        "foreign-key-missing",
        "cross",
        "A reference points to no row",
        "`{value}` is not an ID in {detail}",
        "Fix the ID, or add the row it should point to.",
        "A field with a foreign key in the Table Schema holds a value the referenced table does not have.",
    ),
    Rule(
        "reference-unresolved",
        "cross",
        "A polymorphic reference points to no row",
        "`{value}` is not an ID in {detail}",
        "Fix the ID, or add the row it should point to.",
        "`names.entity_id`, `citations.record_id` (and any other field whose pattern allows IDs of several "
        "tables) must name a row of one of the tables its pattern allows.",
    ),
    Rule(
        "reference-ambiguous",
        "cross",
        "A polymorphic reference points to several rows",
        "`{value}` names {detail} rows",
        "Make the ID unique across the package.",
        "A polymorphic reference must resolve to exactly one row; this one matches several.",
    ),
    Rule(
        "citation-field-unknown",
        "cross",
        "A citation names a column the cited table lacks",
        "`{value}` is not a column of {detail}",
        "Use `*` for the whole row, or a column of the cited table.",
        "`citations.field` is `*` or a column of the table the citation's `record_id` resolves to.",
    ),
    Rule(
        "row-not-cited",
        "cross",
        "A fact row has no citation",
        "`{value}` has no citation",
        "Add a row to citations.csv with this record_id, the source and a short quote.",
        "Every row of every table except `sources` and `citations` needs at least one citation.",
    ),
    Rule(
        "date-order",
        "cross",
        "A date range ends before it starts",
        "`{value}` is before {detail}",
        "Swap or fix the dates; reduced-precision dates count as their widest span.",
        "Within a row, `start_date` ≤ `end_date`, `start_date` ≤ `target_date` and `founded` ≤ `dissolved`. "
        "`2023` ≤ `2023-05` holds: a reduced-precision date is compared by its earliest and latest day.",
    ),
    Rule(
        "self-relation",
        "cross",
        "An organisation relates to itself",
        "`{value}` is both subject and object",
        "A relation links two different organisations.",
        "`org_relations.subject_id` equals `object_id`.",
    ),
    Rule(
        "subsidiary-cycle",
        "cross",
        "Subsidiaries form a cycle",
        "`{value}` is in a subsidiary cycle: {detail}",
        "Remove or reverse the relation that closes the cycle.",
        "Following `subsidiary-of` relations from an organisation leads back to it.",
    ),
    Rule(
        "share-total-exceeded",
        "cross",
        "Shares of one company add up to more than 100",
        "`{value}` takes the current shares of {detail}",
        "Check the percentages, or end the holdings that were sold (end_date).",
        "The `share_percent` of the current (`end_date` empty) `shareholder-of` relations of one object "
        "organisation sum to at most 100, added as exact decimals (82.79 + 8.06 + 9.15 is 100.00, valid; "
        "floating point would make it 100.00000000000001). `row` is the line where the running total passes "
        "100.",
    ),
    Rule(
        "reference-cycle",
        "cross",
        "A self-reference forms a cycle",
        "`{value}` leads back to itself: {detail}",
        "Break the cycle: a row cannot follow (or be part of) itself, directly or through others.",
        "Following a table's references to itself (`agreements.follows_id`, `projects.part_of_id`) leads "
        "back to the starting row.",
    ),
    Rule(
        "follows-not-earlier",
        "cross",
        "An agreement follows a later agreement",
        "`{value}` is dated {detail}",
        "`follows_id` names the earlier agreement this one builds on; check both dates.",
        "The agreement named by `follows_id` is dated after this one (compared conservatively when "
        "dates have reduced precision).",
    ),
    Rule(
        "signatory-no-role",
        "cross",
        "A signatory holds no role in the organisation",
        "`{value}` holds no role in `{detail}`",
        "Add the person's role (roles.csv) in that organisation, with its dates, or fix the signatory.",
        "`agreement_parties.signatory_person_id` must hold a role in the party's `org_id`, and on the "
        "agreement's date when both are dated (a role whose dates could cover that day counts).",
    ),
    Rule(
        "translation-missing",
        "cross",
        "A quote not in English has no English translation",
        "{detail} has no English translation in `quote_en`",
        "Write the curators' English translation of the quote in `quote_en`, with names spelled as the dataset "
        "spells them.",
        "A `verbatim` citation quotes its source in the source's language (`sources.language`). When that "
        "language is not English (its first subtag is not `en`), `citations.quote_en` holds the curators' "
        "English translation, so a reader who cannot read the quote can still check the fact. A source whose "
        "language is not recorded (empty) asks for none.",
    ),
    Rule(
        "translation-not-needed",
        "cross",
        "A quote in English has an English translation",
        "`{value}` translates {detail}, which is English already",
        "Leave `quote_en` empty: the quote is already in English.",
        "`citations.quote_en` is empty where the quote is English: a `verbatim` quote from a source in English "
        "(`en`, `en-GB`, …) or a `dossier-summary`, which is the research file's English wording.",
    ),
    # Added after the rules above (each keeps its place: SARIF numbers rules by their order here).
    Rule(
        "file-special",
        "file",
        "The CSV path is not a regular file",
        "{detail}",
        "Put a regular CSV file at the resource's `path` (or fix the path).",
        "The resource's `path` names a FIFO (named pipe), a socket, a character or block device or a folder, "
        "not a regular file; the message says which. It is found without reading from it, so a FIFO that "
        "nobody writes to or a device such as /dev/zero never makes a command wait or read forever. Every "
        "command refuses it alike. Checks that need this table are skipped.",
        reading="unreadable",
    ),
    Rule(
        "resource-name-unusable",
        "descriptor",
        "A table name that an export format cannot hold",
        "the table name `{value}` {detail}",
        "Rename the resource (and its file, schema and the foreign keys that name it).",
        "The resource's name breaks a limit of an export format (docs/validation.md, \"What the export formats "
        "can hold\"): more than 31 characters (an Excel sheet name), `columns` (the workbook's sheet that "
        "describes every column), a name starting with `sqlite_` (SQLite reserves those), the name of a view "
        "the SQL exports create (`agreement_signatories`, `role_holders`, `project_organisations`, "
        "`cited_facts`), or more than 63 bytes (PostgreSQL cuts names there). `build` would fail; "
        "`export` refuses the formats concerned with the same words.",
    ),
    Rule(
        "field-name-unusable",
        "descriptor",
        "A column name that an export format cannot hold",
        "the column name `{field}` {detail}",
        "Rename the field in the Table Schema and the CSV header.",
        "A field is named like a column the typed exports and `load()` add beside a reduced-precision date "
        "field of the same table (`<date>_earliest`, `<date>_latest`), or a field name (with `_earliest` or "
        "`_latest` after it, for a date field) is longer than the 63 bytes PostgreSQL keeps of a name. "
        "`build` would fail; `export` and `load()` refuse it with the same words.",
    ),
    Rule(
        "text-too-long",
        "cell",
        "A text is longer than a spreadsheet cell holds",
        "`{value}` is {detail}",
        "Shorten the text (quote less of the source), or split it over rows.",
        "A text cell holds more than 32,767 characters, the most an Excel cell holds, so the workbook of a "
        "release could not be written. The value shown is its first 40 characters.",
    ),
    Rule(
        "descriptor-text-invalid",
        "descriptor",
        "A text of the descriptor or a schema holds a control character",
        "`{field}` holds {detail}",
        "Remove the character (often pasted from a terminal or another program); a title or description "
        "may hold tabs and line breaks, and nothing else below U+0020.",
        "Every text of `datapackage.json` and of the Table Schemas (titles, descriptions, the labels of "
        "codes, the entries of `licenses`, `sources`, `contributors` and `keywords`, and the keys of "
        "every object) is free of what the exports cannot carry: a C0 control other than tab and line "
        "feed (PostgreSQL refuses a NUL, a workbook an escape, and a terminal acts on one), DEL, a C1 "
        "control (U+0080–U+009F) or a lone surrogate (JSON's `\\ud800`, which no UTF-8 file can hold). "
        "`field` says where, as a path into the JSON: `title`, `resources[2].description`, or "
        "`schemas/x.schema.json: fields[1].title`. The cells of the tables have their own rule "
        "(`text-control-character`).",
    ),
]
