"""Errors that carry a hint for the user. The CLI turns them into messages and exit codes."""
from __future__ import annotations

from .display import safe_text


class DigestError(Exception):
    """Base class: a problem the user can act on."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class ConfigError(DigestError):
    """A setting is missing or malformed. `setting` names the DIGEST_* variable."""

    def __init__(self, setting: str, message: str, hint: str = ""):
        super().__init__(f"setting {setting}: {message}", hint)
        self.setting = setting


class InputError(DigestError):
    """An input file cannot be used; `path` names it (the message shows it with control
    characters escaped, digest.display.safe_text)."""

    def __init__(self, path: str, message: str, hint: str = ""):
        super().__init__(f"{safe_text(path)}: {message}", hint)
        self.path = path
        self.reason = message  # the message without the path


class StoreError(DigestError):
    """The database cannot be read or written."""


class DeliveryError(DigestError):
    """A digest could not be delivered (it stays queued)."""
