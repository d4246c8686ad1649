"""staffcalc.plots: Chinese titles, labels and tick labels render without missing glyphs (PNG and PDF)."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from staffcalc.plots import setup_cjk_font  # noqa: E402

CHINESE = "各学科高级岗位数与空缺（正高、副高）"


def chinese_figure():
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.bar(["数学", "中国语言文学", "体育学"], [12, -3, 7], label="空缺岗位")
    ax.set_title(CHINESE)
    ax.set_xlabel("学科名称")
    ax.set_ylabel("岗位数（人）")
    ax.legend(title="图例")
    fig.suptitle("武汉大学 2026 年岗位聘任 — 样本数据")
    fig.text(0.01, 0.01, "注：负数表示超编", fontsize=8)
    return fig


def render(fig, fmt: str) -> list[str]:
    """Draw ``fig`` to ``fmt`` and return the text of every warning raised meanwhile."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt)
    assert buf.getbuffer().nbytes > 1000
    return [str(w.message) for w in caught]


@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_chinese_text_renders_without_missing_glyphs(fmt):
    family = setup_cjk_font()
    assert family
    fig = chinese_figure()
    try:
        messages = render(fig, fmt)
    finally:
        plt.close(fig)
    missing = [m for m in messages if "missing from font" in m]
    assert missing == [], missing[:3]


def test_setup_is_idempotent():
    assert setup_cjk_font() == setup_cjk_font()
    assert matplotlib.rcParams["font.family"][-1] == setup_cjk_font()
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_the_check_would_catch_a_missing_chinese_font():
    # Without the CJK fallback the same figure must produce "Glyph … missing from font" warnings;
    # otherwise the test above could not fail.
    setup_cjk_font()
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        fig = chinese_figure()
        try:
            messages = render(fig, "png")
        finally:
            plt.close(fig)
    assert any("missing from font" in m for m in messages)
