"""Personal data under control: erasure (``leadhouse forget``) and its tombstones."""
