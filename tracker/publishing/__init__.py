"""What the public sees: published plans read for pages, charts, downloads and feeds.

Everything here reads and never commits (the one exception, ``data_version``, adds
one to a counter inside the writer's own transaction). The dashboard's figures
(``dashboard``) and its charts' plain data (``chart_data``), the public detail pages
(``public_views``), scorecards, the open data tables, Data Package and feeds
(``open_data``), and the fingerprints and counter that let caches serve it all
(``versions``, ``data_version``). Who may see what is asked of ``services.permissions``.
"""
