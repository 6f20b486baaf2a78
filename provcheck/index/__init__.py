"""The index: what a corpus holds, kept for ``check``. ``catalog`` is the SQLite
database, ``bands`` the segment files of LSH band keys, ``workflow`` ``index add`` and ``check``."""
