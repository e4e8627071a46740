"""The one base class of every error a user can fix: bad input, bad settings, a missing model or package.

Library functions raise subclasses of `UserError`; the CLI prints their message
as one line (or a short list) and exits non-zero, with no traceback. Any other
exception is a bug and keeps its traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix; its message says what and where (file, line, field)."""
