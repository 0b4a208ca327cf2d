"""The HTML report a marketer opens: ``leadhouse report`` and the end of ``make run``.

``data`` reads the analytics schema and the quality results, ``charts`` turns them into
Vega-Lite specs, ``page`` lays out one self-contained HTML file, ``build`` writes it.
"""
