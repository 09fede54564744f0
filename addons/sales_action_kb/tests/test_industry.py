from odoo.exceptions import UserError
from odoo.tests import tagged

from ..industry_matching import edit_distance, industry_key, near_misses
from .common import SalesActionCommon


@tagged("post_install", "-at_install")
class TestIndustry(SalesActionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Industry = cls.env["res.partner.industry"]
        cls.food = cls.env.ref("base.res_partner_industry_I")
        cls.it = cls.env.ref("base.res_partner_industry_J")
        # Variants as a careless import creates them, before anyone merged them.
        cls.typo = cls.Industry.create({"name": "餐钦"})
        cls.hotel_variant = cls.Industry.create({"name": "餐饮业 "})
        cls.unknown = cls.Industry.create({"name": "宠物用品"})

    def test_key_and_distance(self):
        """Keys ignore width, case, spaces and punctuation; distances count single edits."""
        self.assertEqual(
            industry_key(" \uff26\uff4f\uff4f\uff44 / Hospitality\u3002"), "foodhospitality"
        )
        self.assertEqual(industry_key("餐饮 业"), "餐饮业")
        self.assertEqual(edit_distance("餐钦", "餐饮"), 1)
        self.assertEqual(edit_distance("technolgy", "technology"), 1)
        self.assertEqual(edit_distance("", "abc"), 3)

    def test_near_misses_helper(self):
        """Near misses are found within the allowed edits, never from short Latin keys."""
        candidates = {"餐饮": "food", "零售": "retail", "technology": "it", "it": "it"}
        self.assertEqual(near_misses("餐钦", candidates), [("food", "餐饮", 1)])
        self.assertEqual(near_misses("Technolgy", candidates), [("it", "technology", 1)])
        self.assertEqual(near_misses("餐饮", candidates), [])
        self.assertEqual(near_misses("ix", candidates), [])
        self.assertEqual(near_misses("宠物用品", candidates), [])

    def test_alias_on_partner_create(self):
        """A company given a variant that is an alias gets the canonical industry."""
        partner = self.env["res.partner"].create(
            {"name": "老王饭店", "is_company": True, "industry_id": self.hotel_variant.id}
        )
        self.assertEqual(partner.industry_id, self.food)

    def test_alias_on_write(self):
        """Writing a variant that is an alias on a company or a lead stores the canonical one."""
        partner = self.env["res.partner"].create({"name": "川味小馆", "is_company": True})
        partner.write({"industry_id": self.hotel_variant.id})
        self.assertEqual(partner.industry_id, self.food)
        lead = self.env["crm.lead"].create({"name": "Kitchen display screens"})
        lead.write({"industry_id": self.hotel_variant.id})
        self.assertEqual(lead.industry_id, self.food)

    def test_near_miss_not_changed(self):
        """A typo is stored as typed and only suggested for merging."""
        partner = self.env["res.partner"].create(
            {"name": "湘菜馆", "is_company": True, "industry_id": self.typo.id}
        )
        self.assertEqual(partner.industry_id, self.typo)
        self.assertEqual(self.typo.suggested_industry_id, self.food)
        self.assertFalse(self.unknown.suggested_industry_id)
        self.assertFalse(self.food.suggested_industry_id)

    def test_alias_on_import(self):
        """Importing companies and leads maps alias spellings onto the canonical industry."""
        result = self.env["res.partner"].load(
            ["name", "is_company", "industry_id"],
            [
                ["蜀香饭店", "1", "饭店"],
                ["Golden Dragon", "1", "restaurants"],
                ["云图软件", "1", "软件"],
            ],
        )
        self.assertFalse(result["messages"])
        partners = self.env["res.partner"].browse(result["ids"])
        self.assertEqual(partners.mapped("industry_id"), self.food | self.it)
        self.assertEqual(partners[1].industry_id, self.food)

        result = self.env["crm.lead"].load(["name", "industry_id"], [["Catering order", "餐饮业"]])
        self.assertFalse(result["messages"])
        self.assertEqual(self.env["crm.lead"].browse(result["ids"]).industry_id, self.food)

    def test_name_create_reuses(self):
        """Creating an industry by a name that is an alias returns the canonical industry."""
        industry_id, _name = self.Industry.name_create("Catering")
        self.assertEqual(industry_id, self.food.id)
        self.assertIn(self.food.id, [id_ for id_, _name in self.Industry.name_search("饭")])
        new_id, _name = self.Industry.name_create("宠物医院")
        self.assertNotIn(new_id, (self.food | self.it).ids)

    def test_lead_follows_company(self):
        """A lead takes its company's industry, and suggested actions use it."""
        partner = self.env["res.partner"].create(
            {"name": "海底捞样板店", "is_company": True, "industry_id": self.food.id}
        )
        lead = self.env["crm.lead"].create({"name": "Queue system", "partner_id": partner.id})
        self.assertEqual(lead.industry_id, self.food)

    def test_merge_wizard(self):
        """Merging moves every company, lead and action and keeps the variant as an alias."""
        Partner = self.env["res.partner"]
        partner = Partner.create(
            {"name": "粤菜馆", "is_company": True, "industry_id": self.typo.id}
        )
        archived = Partner.create(
            {"name": "旧店", "is_company": True, "industry_id": self.typo.id, "active": False}
        )
        lead = self.env["crm.lead"].create({"name": "POS upgrade", "industry_id": self.typo.id})
        self.action.industry_ids = self.typo

        wizard = (
            self.env["res.partner.industry.merge"]
            .with_user(self.user_manager)
            .with_context(active_model="res.partner.industry", active_ids=self.typo.ids)
            .create({})
        )
        self.assertEqual(wizard.industry_ids, self.typo | self.food)
        self.assertEqual(wizard.target_industry_id, self.food)
        wizard.action_merge()

        self.assertEqual((partner | archived).industry_id, self.food)
        self.assertEqual(lead.industry_id, self.food)
        self.assertEqual(self.action.industry_ids, self.food)
        self.assertFalse(self.typo.active)
        self.assertIn("餐钦", self.food.alias_ids.mapped("name"))
        self.assertEqual(self.Industry.name_search("餐钦", operator="=")[0][0], self.food.id)

    def test_merge_rights(self):
        """A sales rep cannot merge industries."""
        wizard = self.env["res.partner.industry.merge"].create(
            {
                "industry_ids": [(6, 0, (self.typo | self.food).ids)],
                "target_industry_id": self.food.id,
            }
        )
        with self.assertRaises(UserError):
            wizard.with_user(self.user_salesman).action_merge()

    def test_variants_report(self):
        """The report lists variants still used by a company or lead, with their counts."""
        self.env["res.partner"].create(
            {"name": "湘菜馆", "is_company": True, "industry_id": self.typo.id}
        )
        self.env["crm.lead"].create({"name": "Pet shop CRM", "industry_id": self.unknown.id})
        variants = self.Industry.search([("is_canonical", "=", False), ("in_use", "=", True)])
        self.assertIn(self.typo, variants)
        self.assertIn(self.unknown, variants)
        self.assertNotIn(self.hotel_variant, variants)
        self.assertEqual((self.typo.partner_count, self.typo.lead_count), (1, 0))
        self.assertEqual((self.unknown.partner_count, self.unknown.lead_count), (0, 1))

    def test_shipped_aliases(self):
        """Every base industry is canonical and has Chinese and English aliases."""
        for letter in "ABCDEFGHIJKLMNOPQRSTU":
            industry = self.env.ref(f"base.res_partner_industry_{letter}")
            self.assertTrue(industry.is_canonical, industry.name)
            names = industry.alias_ids.mapped("name")
            self.assertTrue(any(name.isascii() for name in names), industry.name)
            self.assertTrue(any(not name.isascii() for name in names), industry.name)
