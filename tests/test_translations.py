"""Every module ships a complete Simplified Chinese translation."""

import re
from pathlib import Path

import polib
import pytest

ADDONS = Path(__file__).resolve().parents[1] / "addons"
MODULES = ("sales_closed_loop", "sales_action_kb", "sales_forecast_tricolor")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")


@pytest.mark.parametrize("module", MODULES)
def test_zh_cn_covers_template(module):
    """Each msgid of the module's .pot has a zh_CN translation that is not fuzzy."""
    template = polib.pofile(str(ADDONS / module / "i18n" / f"{module}.pot"))
    chinese = polib.pofile(str(ADDONS / module / "i18n" / "zh_CN.po"))
    translated = {entry.msgid for entry in chinese.translated_entries()}

    missing = [entry.msgid for entry in template if entry.msgid not in translated]

    assert len(template) > 10
    assert missing == []


@pytest.mark.parametrize("module", MODULES)
def test_zh_cn_keeps_placeholders(module):
    """A translation keeps every named placeholder of its English text."""
    chinese = polib.pofile(str(ADDONS / module / "i18n" / "zh_CN.po"))
    for entry in chinese.translated_entries():
        for placeholder in PLACEHOLDER.findall(entry.msgid):
            assert placeholder in entry.msgstr, f"{placeholder} lost in: {entry.msgstr}"
