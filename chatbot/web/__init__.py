"""The meeting's web page: one page per series, served over HTTP (see `app.py`)."""
