"""The rules of what can be opened: the package and its descriptor, and each CSV file as a whole."""

from .rule import Rule

RULES = [
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
]
