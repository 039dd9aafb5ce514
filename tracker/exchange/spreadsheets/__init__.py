"""Plans as spreadsheets: one column format for CSV and XLSX, for import and export alike.

Each row is one recommendation-action pair of one plan. Plan and area columns
repeat on every row; a recommendation served by two actions takes two rows, and an
action serving two recommendations appears under each. Cells that repeat may be
left blank after the first row that fills them. The format is documented in
``docs/spreadsheet-format.md``; ``columns.COLUMNS`` is its source of truth.

``columns`` is the format (every column, and the cells' conventions both ways);
``writing`` exports a plan as rows, CSV and XLSX; ``reading`` reads an uploaded file's
rows, refusing a hostile one; ``document`` turns rows into a plan document; ``importing``
imports one through ``exchange.plan_import`` and reports problems by row and column.

An export imported back changes nothing: every stored value the format shows has a
column, and positions are kept while the file lists items in the order an export writes
them (``importing``). Uploaded files are untrusted: an XLSX is checked member by member
before openpyxl reads it (``reading``).
"""
