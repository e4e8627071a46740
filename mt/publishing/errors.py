"""What publishing raises for a user to fix."""

from __future__ import annotations

from mt.errors import UserError


class PublishError(UserError, ValueError):
    """The corpus cannot be written or uploaded."""


class ReportError(UserError, ValueError):
    """A corpus folder the report cannot be made from."""
