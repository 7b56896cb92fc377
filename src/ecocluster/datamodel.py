"""The tables and columns the data model (docs/data-model.md) gives a meaning the code relies on.

Every other table is data like any other: its columns, types, keys and references come from the
Table Schemas. These few are named here once, so that the validator, the summary, the site and the
exporters agree on what they are.
"""

# Provenance: `sources` lists the pages; `citations` ties each fact to a source with a quote. Every row
# of every other table is a fact and needs a citation.
SOURCES = "sources"
CITATIONS = "citations"
PROVENANCE = frozenset({SOURCES, CITATIONS})
# A citation's columns: the cited row's id, its field (`*` the whole row), the source, the quote.
RECORD_ID, FIELD, SOURCE_ID = "record_id", "field", "source_id"
WHOLE_ROW = "*"
QUOTE, QUOTE_KIND, QUOTE_EN = "quote", "quote_kind", "quote_en"

# Every other name of an organisation, a person or a project; `entity_id` points at the named row.
NAMES = "names"
NAMED_ENTITY = "entity_id"

# The tables whose rows are things a reader looks up: each has a page on the site.
ENTITY_TABLES = ("organisations", "people", "agreements", "projects", SOURCES)

# A period: start before end wherever both are known.
START, END = "start_date", "end_date"
