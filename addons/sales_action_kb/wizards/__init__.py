from . import res_partner_industry_merge
