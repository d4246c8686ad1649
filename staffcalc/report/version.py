"""The staffcalc version recorded in manifests (robust to a stale editable install)."""

try:
    from .. import __version__
except ImportError:  # staffcalc seen as a namespace package (stale editable-install finder)
    from importlib.metadata import PackageNotFoundError, version

    try:
        __version__ = version("staffcalc")
    except PackageNotFoundError:  # pragma: no cover
        __version__ = "unknown"
