"""What alignment raises for a user to fix."""

from __future__ import annotations

from mt.errors import UserError


class EmbedderUnavailableError(UserError, RuntimeError):
    """The embedding model is neither installed, local, cached nor downloadable."""

    def __init__(self, name: str, error: Exception, hint: str | None = None, *, download: bool = True) -> None:
        """`download`: whether fetching the model elsewhere could help (not when its files are there but unusable)."""
        first = str(error).strip().splitlines()[0][:160] if str(error).strip() else ""
        lines = [f"embedding model '{name}' is not available ({type(error).__name__}: {first})."]
        if hint:
            lines.append(hint)
        if download:
            lines.append("Otherwise download it where there is network (`hf download <model>`) and pass its folder with --embedder.")
        super().__init__("\n".join(lines))


class EmbedderDeviceError(UserError, ValueError):
    """A device torch cannot put the embedder on (a typo, or a GPU this machine or this torch does not have)."""
