"""Chart set-up: Chinese labels that render everywhere (:func:`setup_cjk_font`).

Fonts: the OFL-licensed Noto Sans SC shipped on PyPI (package ``pylopdf-fonts-zh-cn``) is registered
with matplotlib, so Chinese renders on a fresh Linux or Windows machine without root.  If that
package is missing, common system CJK fonts are tried (Noto Sans CJK, WenQuanYi, Source Han).
No proprietary font (SimHei, Microsoft YaHei) is bundled or required.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
from matplotlib import font_manager

_SYSTEM_CJK = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
               "WenQuanYi Micro Hei", "Droid Sans Fallback")
_configured: str | None = None


def _bundled_font() -> Path | None:
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = Path(pylopdf_fonts_zh_cn.__file__).parent / "NotoSansSC-Regular.otf"
    return path if path.exists() else None


def setup_cjk_font() -> str:
    """Register a CJK font with matplotlib and make it the fallback after DejaVu Sans.

    Returns the family name used.  Raises RuntimeError if no CJK font can be found at all, rather
    than letting charts silently show empty boxes.  Safe to call many times.
    """
    global _configured
    if _configured:
        return _configured
    family = None
    bundled = _bundled_font()
    if bundled is not None:
        font_manager.fontManager.addfont(str(bundled))
        family = font_manager.FontProperties(fname=str(bundled)).get_name()
    else:
        installed = {f.name for f in font_manager.fontManager.ttflist}
        family = next((name for name in _SYSTEM_CJK if name in installed), None)
    if family is None:
        raise RuntimeError(
            "No Chinese font found: install the Python package 'pylopdf-fonts-zh-cn' (pip) or a system "
            "CJK font such as fonts-noto-cjk / 未找到中文字体"
        )
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", family]
    matplotlib.rcParams["axes.unicode_minus"] = False
    _configured = family
    return family
