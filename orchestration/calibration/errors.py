"""The one error type of the calibration area: bad input the user can fix.

Commands catch :class:`CalibrationInputError`, print its message on stderr and exit 2.
"""

from __future__ import annotations


class CalibrationInputError(ValueError):
    """Input that cannot be calibrated or scored; the message names the problem."""
