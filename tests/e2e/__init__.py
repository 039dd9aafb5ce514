"""Browser tests: the application as people use it, in Chromium, over HTTP."""
