"""The rule table: every error the validator can report, described once.

Each rule has a stable kebab-case `code`, a `title`, a `message` template (filled with the error's
`value`, `field` and `detail`), a `hint` that says how to fix it, and a `doc` paragraph for
docs/validation.md (generated from this table). Engines only say *which* rule failed where.

`level` decides the exit code: "package" errors (nothing could be checked) exit 2, all others 1.
`reading` says what a file-level error leaves for a command that reads without validating (fmt, diff,
export, load(validate=False)): "unreadable", no rows at all; "misshapen", rows, but not in the shape
the Table Schema gives them (so no typed table can be built); "" otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["package", "descriptor", "file", "cell", "cross"]
Reading = Literal["", "unreadable", "misshapen"]


@dataclass(frozen=True)
class Rule:
    code: str
    level: Level
    title: str
    message: str
    hint: str
    doc: str
    reading: Reading = ""


_RULES = [
    # Package: the descriptor or a schema cannot be used, so no table can be checked.
    Rule(
        "package-not-found",
        "package",
        "No data package at the path",
        "{detail}",
        "Give a folder holding datapackage.json, or the descriptor itself.",
        "The path given to `ecocluster validate` is neither a `datapackage.json` nor a folder holding one.",
    ),
    Rule(
        "internal-error",
        "package",
        "The validator failed",
        "the validator failed on this package: {detail}",
        "This is a bug in ecocluster, not in your data: please report it with the package that caused it.",
        "The last resort: an input the checks did not foresee made the validator itself fail. "
        "`ecocluster.validate()` returns this entry instead of raising; the command exits 2.",
    ),
    Rule(
        "archive-invalid",
        "package",
        "A release archive cannot be read",
        "{detail}",
        "Download the release again, or use the unpacked folder.",
        "`ecocluster validate` was given a `.zip` that is damaged, encrypted, uses an unsupported compression "
        "method (such as Deflate64), holds a member that would land outside the extraction folder or a link, "
        "holds two members of the same name, would unpack to more than 1 GiB, or holds no `datapackage.json` "
        "at its top level.",
    ),
    Rule(
        "descriptor-invalid",
        "package",
        "The descriptor is not valid JSON",
        "{detail}",
        "Fix the JSON syntax; a trailing comma or a missing quote is the usual cause.",
        "`datapackage.json` cannot be read (permission denied, a folder in its place), cannot be parsed as "
        "a JSON object, nests arrays or objects more than 100 levels deep (measured before parsing, so no "
        "recursion limit matters), holds an integer of more than 4,300 digits (Python's limit for reading "
        "one), or a resource in it has no name, or a title or description that is not a string.",
    ),
    Rule(
        "resource-name-invalid",
        "package",
        "A resource name is not a safe name",
        "{detail}",
        "Name resources with lowercase letters, digits, `_`, `.` and `-`, e.g. `org_relations`.",
        "A resource's `name` must match `^[a-z0-9][a-z0-9_.-]*$` (Frictionless's rule): exporters use it as a "
        "file name (`parquet/<name>.parquet`) and an SQL table name, so `../x`, spaces, capitals, control "
        "or invisible characters are refused before anything is read.",
    ),
    Rule(
        "resource-name-duplicate",
        "package",
        "Two resources have the same name",
        "{detail}",
        "Give each resource its own name.",
        "Resource names are unique within the package; a second resource of the same name would overwrite "
        "the first in every export.",
    ),
    Rule(
        "descriptor-no-resources",
        "package",
        "The descriptor names no resources",
        "{detail}",
        "Add a `resources` list with one entry per table.",
        "`resources` is missing, not a list, or empty: there is nothing to validate.",
    ),
    Rule(
        "resource-path-invalid",
        "package",
        "A resource path is not a relative path",
        "{detail}",
        "Give a path such as `data/table.csv`.",
        "A resource's `path` or `schema` is not a non-empty string, holds a control character (a NUL byte "
        "cannot even be passed to the operating system), or has a folder or file name over 255 bytes.",
    ),
    Rule(
        "resource-path-outside",
        "package",
        "A resource path leaves the package folder",
        "{detail}",
        "Use a path relative to datapackage.json, without `..` or a leading `/`.",
        "A resource's `path` or `schema` is absolute, climbs out with `..`, or is (or passes through) a "
        "symbolic link that leads out of the package folder. No command reads files outside the package "
        "folder, so the resource is refused.",
    ),
    Rule(
        "resource-path-remote",
        "package",
        "A resource path is a URL",
        "{detail}",
        "Put the file in the package folder and give its relative path.",
        "A resource's `path` or `schema` is a URL. Validation never reads the network, so it is refused.",
    ),
    Rule(
        "schema-missing",
        "package",
        "A Table Schema file is missing",
        "{detail}",
        "Check the `schema` path of the resource in datapackage.json.",
        "The file a resource's `schema` points to does not exist.",
    ),
    Rule(
        "schema-invalid",
        "package",
        "A Table Schema cannot be used",
        "{detail}",
        "A Table Schema is a JSON object with a `fields` list; each field needs a `name`.",
        "A Table Schema cannot be read, is not valid JSON, is nested too deeply, or has the wrong shape: no "
        "`fields` list, a field without a name, a field declared twice, a field name starting with `__` "
        "(reserved for the validator's working columns) or holding control or invisible characters, an "
        "unknown type, a title, description or format that is not a string, constraints that are not an "
        "object, `required` or `unique` that is not true or false, a pattern that is not a string or not a "
        "valid regular expression, an enum that is not a list of strings or lists a code twice, "
        "`categories` that are not a list of codes (or of objects with a string `value` and `label`), "
        "list a code or a label twice, or lack a code of the enum (or the older `enumDescriptions` that are not an "
        "object of strings), a bound that is not a number, or is infinite or an integer beyond 64 bits, a "
        "primary or foreign "
        "key naming a field that does not exist (or a field twice), a foreign key whose reference is not a "
        "resource name and field names, a foreign key to a resource the package does not have, or "
        "`missingValues` that are not strings.",
    ),
    # Descriptor: its own fields, as build uses them.
    Rule(
        "descriptor-field-invalid",
        "descriptor",
        "A field of the descriptor cannot be used to build a release",
        "`{field}` {detail}",
        "Fix the field in datapackage.json; `ecocluster build` names files and dates the zip from it.",
        "`build` writes `<name>-<version>.zip` with `created` as every member's timestamp and copies "
        "`licenses` into the manifest, so validation checks them first: `name` must match "
        "`^[a-z0-9][a-z0-9_.-]*$` and `version` `^[0-9A-Za-z][0-9A-Za-z.+_-]*$` (each at most 100 "
        "characters, so no `/`, `..` or NUL reaches a file name); `created`, if present, is an RFC 3339 "
        "date-time (`2026-11-28T00:00:00Z`) from 1980 to 2107, the years a zip timestamp can hold; "
        "`licenses`, if present, is a list of objects each with a `name` or `path` string; `title` and "
        "`description` are strings.",
    ),
    # File: the CSV file as a whole, its header and the shape of its rows.
    Rule(
        "file-missing",
        "file",
        "The CSV file is missing",
        "{detail}",
        "Create the file with its header row, or fix the resource's `path`.",
        "The file a resource's `path` points to does not exist. Checks that need this table are skipped.",
        reading="unreadable",
    ),
    Rule(
        "file-unreadable",
        "file",
        "The CSV file cannot be read",
        "{detail}",
        "Check the file's permissions.",
        "The operating system refused to open or read the file (permission denied, an I/O error). Checks "
        "that need this table are skipped.",
        reading="unreadable",
    ),
    Rule(
        "file-empty",
        "file",
        "The CSV file is empty",
        "the file has no header row",
        "Write the header row: the schema's field names, comma-separated, in order.",
        "The file has no bytes, or only a byte order mark or blank space, so it has not even a header.",
        reading="unreadable",
    ),
    Rule(
        "encoding-invalid",
        "file",
        "The file is not UTF-8",
        "{detail}",
        "Save the file as UTF-8 (in a spreadsheet: CSV UTF-8).",
        "A byte sequence is not valid UTF-8. `row` is the line holding it; the rest of the file is still "
        "checked, with the bad bytes replaced.",
        reading="unreadable",
    ),
    Rule(
        "csv-invalid",
        "file",
        "The CSV cannot be parsed",
        "{detail}",
        "Look for a quote that is opened and never closed at or after this line.",
        "The file is not CSV a parser can read to the end, most often because of an unbalanced quote. "
        "Checks that need this table are skipped.",
        reading="unreadable",
    ),
    Rule(
        "line-end-invalid",
        "file",
        "A line ends with a lone carriage return",
        "{detail}",
        "Save the file with LF (or CRLF) line ends; remove the stray CR character from the cell.",
        "The file holds a carriage return (CR) that is not followed by a line feed (LF). Some CSV readers "
        "end a row there and others keep it inside the cell, so the row cannot be placed unambiguously: "
        "ecocluster refuses it wherever it is. When a command reads without validating, the CR is kept "
        "as a character of its cell, the same in every command.",
    ),
    Rule(
        "header-missing-column",
        "file",
        "A column of the schema is missing",
        "column `{field}` is missing",
        "Add the column to the header row (and a cell to every row), or fix its name if it was renamed.",
        "The header row lacks a field the Table Schema declares. A renamed column shows as one missing and "
        "one extra column.",
        reading="misshapen",
    ),
    Rule(
        "header-extra-column",
        "file",
        "A column is not in the schema",
        "column `{field}` is not in the schema",
        "Remove the column, fix its name, or add the field to the Table Schema.",
        "The header row has a column the Table Schema does not declare. Its cells are not checked.",
        reading="misshapen",
    ),
    Rule(
        "header-duplicate-column",
        "file",
        "A column appears twice",
        "column `{field}` appears more than once",
        "Remove or rename the second column.",
        "Two header cells have the same name.",
        reading="misshapen",
    ),
    Rule(
        "header-order",
        "file",
        "The columns are not in the schema's order",
        "{detail}",
        "Reorder the columns to follow the Table Schema's field order.",
        "The header has exactly the schema's columns, but in another order. Other tools read columns by "
        "position, so the order is part of the contract.",
    ),
    Rule(
        "row-truncated",
        "file",
        "A row has too few cells",
        "the row ends before column `{field}`",
        "Add the missing cells (empty cells still need their commas).",
        "A row has fewer cells than the header. `field` is the first missing column.",
        reading="misshapen",
    ),
    Rule(
        "row-extra-cells",
        "file",
        "A row has too many cells",
        "{detail}",
        "Remove the extra cells, or quote a cell that contains a comma.",
        "A row has more cells than the header; usually an unquoted comma inside a cell.",
        reading="misshapen",
    ),
    Rule(
        "row-blank",
        "file",
        "A row is blank",
        "the row has no values",
        "Delete the blank line.",
        "Every cell of the row is empty (often a blank line).",
    ),
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
]

RULES: dict[str, Rule] = {r.code: r for r in _RULES}
UNREADABLE = frozenset(r.code for r in _RULES if r.reading == "unreadable")
MISSHAPEN = frozenset(r.code for r in _RULES if r.reading == "misshapen")

LEVELS = {
    "package": "The package (exit code 2: nothing could be checked)",
    "descriptor": "The descriptor's own fields, and the names the export formats can hold",
    "file": "Files, headers and row shapes",
    "cell": "Cells, by the Table Schema and the data model's text conventions",
    "cross": "Across rows and tables",
}


# Where each level's rules are checked: the only modules that may emit its codes (paths under
# src/ecocluster/, a folder ending in "/"). tests/validation/test_rule_placement.py holds the code to it, and
# docs/validation.md says it under each code, so a rule is found by its folder.
CHECKED_IN: dict[str, tuple[str, ...]] = {
    # the engine reports what stops a run before any package is open: no package, an archive that
    # cannot be unpacked, its own failure; and the schema mistakes seen only across resources
    "package": ("package/", "validation/engine.py"),
    "descriptor": ("validation/descriptor.py",),
    "file": ("tables/reader.py",),
    "cell": ("validation/checks.py",),
    "cross": ("validation/keys.py", "validation/references.py", "validation/relations.py"),
}


def checked_in(level: str) -> str:
    """Where a level's rules are checked, as docs/validation.md says it."""
    return ", ".join(f"`ecocluster/{module}`" for module in CHECKED_IN[level])


def render_codes() -> str:
    """The error-code section of docs/validation.md, generated from the rule table."""
    out = []
    for level, heading in LEVELS.items():
        out += [f"### {heading}", ""]
        for rule in _RULES:
            if rule.level == level:
                out += [f"#### `{rule.code}`: {rule.title}", "", rule.doc, "", f"*Fix:* {rule.hint}", "",
                        f"*Checked in:* {checked_in(level)}", ""]
    return "\n".join(out)
