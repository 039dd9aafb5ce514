"""Open data: what the public may download, as tables, JSON, a Data Package and Atom feeds.

Only published plans, and only validated data: the statuses the secretariat set or
accepted, their history, the assessment rounds, accepted progress reports. Drafts,
submitted and returned reports (and their files) never appear, and neither does any
user's email: who changed a status is named as the public may know them
(``services.actors``): a role ("Secretariat"), an agency, or a source such as "seed".

Each table is declared once in ``tables`` (its columns with Table Schema types and
descriptions, its keys, and the query that fills it), so the CSV files, the Frictionless
Data Package and the per-plan JSON that ``package`` builds from them cannot drift apart;
``feed`` writes the Atom feeds of status changes. Queries join what they need and load
every plan in scope at once; nothing here runs a query per row, and nothing here writes.
"""
