"""One adapter module per landing format.

Every adapter exposes ``stage(con, file)``: it reads one landing file and leaves a temp
table ``_stage`` with ``_line, _text, payload, reason`` plus the extracted columns of the
source's raw table (``reason`` is null for a good record, else a quarantine code).
"""
