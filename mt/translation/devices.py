"""Which GPU a backend runs on: shared by the backends."""

from __future__ import annotations

from mt.errors import UserError


class BackendSettingsError(UserError, ValueError):
    """A backend, device or compute type that cannot run (unknown name, unsupported type, a GPU this machine lacks)."""


def cuda_index(device: str) -> int:
    """0 for 'cuda', N for 'cuda:N'; a malformed index is a settings error."""
    _, _, index = device.partition(":")
    if not index:
        return 0
    if not index.isdigit():
        raise BackendSettingsError(f"--device {device}: expected cuda or cuda:N with N a GPU number")
    return int(index)


def check_cuda_device(device: str, available: int) -> None:
    """One clear line when `device` names a GPU this machine does not have."""
    index = cuda_index(device)
    if available == 0:
        raise BackendSettingsError(f"--device {device}: no CUDA GPU is available on this machine; use --device cpu (or auto)")
    if index >= available:
        raise BackendSettingsError(f"--device {device}: this machine has {available} CUDA GPU(s), numbered 0 to {available - 1}")
