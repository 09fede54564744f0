from lxml import html

from odoo.tests import tagged

from .common import CJK_PATTERN, STAGE_XMLIDS, SalesActionCommon

# The library must be worth opening on day one: the product promises at
# least ten real actions, three of them ice-breakers for the 48h nudge.
MIN_SHIPPED_ACTIONS = 10
MIN_ICE_BREAKERS = 3


def _script_terms(script):
    """Return the text of every paragraph and list item of an Html script."""
    if not script:
        return []
    root = html.fromstring(f"<div>{script}</div>")
    return [" ".join(node.text_content().split()) for node in root.iter("p", "li")]


@tagged("post_install", "-at_install")
class TestSalesActionData(SalesActionCommon):
    def test_shipped_count(self):
        """At least ten actions ship as data, all active."""
        shipped = self._shipped_actions()
        self.assertGreaterEqual(len(shipped), MIN_SHIPPED_ACTIONS)
        self.assertTrue(all(shipped.mapped("active")))

    def test_shipped_chinese_name(self):
        """Every shipped action has a Chinese name that differs from the English one."""
        for action in self._shipped_actions():
            with self.subTest(code=action.code):
                name_en = action.with_context(lang="en_US").name
                name_zh = action.with_context(lang="zh_CN").name
                self.assertNotEqual(name_zh, name_en)
                self.assertRegex(name_zh, CJK_PATTERN)

    def test_shipped_script(self):
        """Every shipped action has a script, and each of its paragraphs is translated."""
        for action in self._shipped_actions():
            with self.subTest(code=action.code):
                terms_en = _script_terms(action.with_context(lang="en_US").script)
                terms_zh = _script_terms(action.with_context(lang="zh_CN").script)
                self.assertGreaterEqual(len(terms_en), 2)
                self.assertEqual(len(terms_zh), len(terms_en))
                untranslated = [term for term in terms_zh if not CJK_PATTERN.search(term)]
                self.assertEqual(untranslated, [])

    def test_shipped_recording(self):
        """Shipped recording transcripts are translated into Chinese."""
        with_recording = self._shipped_actions().filtered("recording_excerpt")
        self.assertTrue(with_recording)
        for action in with_recording:
            with self.subTest(code=action.code):
                self.assertRegex(action.with_context(lang="zh_CN").recording_excerpt, CJK_PATTERN)

    def test_shipped_codes_valid(self):
        """Shipped codes are unique and display as "[code] name"."""
        shipped = self._shipped_actions()
        self.assertEqual(len(set(shipped.mapped("code"))), len(shipped))
        for action in shipped:
            self.assertEqual(action.display_name, f"[{action.code}] {action.name}")

    def test_every_stage_covered(self):
        """Each of the five gated stages has at least one non-ice-breaker action."""
        shipped = self._shipped_actions().filtered(lambda a: a.category != "ice_breaking")
        for xmlid in STAGE_XMLIDS:
            with self.subTest(stage=xmlid):
                stage = self.env.ref(xmlid)
                self.assertTrue(shipped.filtered(lambda a, stage=stage: stage in a.stage_ids))

    def test_ice_breakers_all_stages(self):
        """At least three ice-breaker templates apply in every gated stage."""
        ice_breakers = self._shipped_actions().filtered(
            lambda a: a.category == "ice_breaking" and self.stages <= a.stage_ids
        )
        self.assertGreaterEqual(len(ice_breakers), MIN_ICE_BREAKERS)

    def test_tag_chinese(self):
        """Shipped tags have Chinese names."""
        data = self.env["ir.model.data"].search(
            [("module", "=", "sales_action_kb"), ("model", "=", "sales.action.tag")]
        )
        tags = self.env["sales.action.tag"].browse(data.mapped("res_id"))
        self.assertTrue(tags)
        for tag in tags.with_context(lang="zh_CN"):
            self.assertRegex(tag.name, CJK_PATTERN)
