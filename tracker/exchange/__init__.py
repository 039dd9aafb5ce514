"""Plans and data in and out of the tracker as files.

A plan comes in as one *plan document* (``plan_import``), read from the seed files
(``seed_files``) or from a spreadsheet (``spreadsheets``), and goes out as a spreadsheet
in the same column format; a whole database and its evidence files go out and back as
one archive (``backups``). Imports change data only through the workflow in
``tracker.services``, in one transaction per plan.
"""
