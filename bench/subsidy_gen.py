#!/usr/bin/env python3
"""Write N e-commerce applicants (issue 3 input format) as one JSON array.

Usage: subsidy_gen.py N OUT.json

A deterministic mix: the worked example of ecommerce.md and variants that
reach every article (parks, platforms, live bases, trainers, service
providers, cross-border, rural, logistics, express, 八、其他), with credit
codes that pass GB 32100.
"""
import json
import random
import sys

ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_W = [3, 7, 9, 10, 5, 8, 4, 2]


def org_value(c):
    return int(c) if c.isdigit() else ord(c) - ord("A") + 10


def uscc(n):
    body = "%08d" % n
    s = sum(org_value(c) * w for c, w in zip(body, ORG_W))
    oc = {10: "X", 11: "0"}.get(11 - s % 11, str(11 - s % 11))
    s17 = "91370406" + body + oc
    total = sum(ALPHA.index(c) * w for c, w in zip(s17, USCC_W))
    return s17 + ALPHA[(31 - total % 31) % 31]


def applicant(i, rnd):
    a = {
        "uscc": uscc(10_000_000 + i),
        "name": "企业%d" % i,
        "year": rnd.choice([2022, 2023, 2024, 2025]),
        "registered_in_district": rnd.random() < 0.9,
        "statistically_included": rnd.random() < 0.8,
        "above_limit": rnd.random() < 0.5,
        "above_scale_service": rnd.random() < 0.3,
        "entered_on": "%d-%02d-%02d" % (rnd.choice([2020, 2021, 2022, 2023]), rnd.randint(1, 12), rnd.randint(1, 28)),
        "net_tax_yuan": rnd.randint(0, 12_000_000),
        "online_retail_yuan": "%d.%02d" % (rnd.randint(0, 150_000_000), rnd.randint(0, 99)),
        "online_retail_prev_yuan": rnd.randint(0, 120_000_000),
        "awards_received": [],
        "competing_claims": [],
        "top_ranked": rnd.random() < 0.01,
    }
    k = i % 10
    if k == 0:
        a["park"] = {"floor_area_m2": rnd.randint(3000, 9000), "annual_investment_yuan": rnd.randint(1_000_000, 4_000_000),
                     "resident_enterprises": rnd.randint(10, 40), "qualified_enterprises": rnd.randint(5, 15),
                     "tax_data_months": rnd.randint(0, 12)}
    if k in (1, 2, 3):
        a["platform_fees"] = {"annual_transactions_yuan": rnd.randint(1_000_000, 80_000_000), "agreement_signed": True,
                              "fees_paid_yuan": rnd.randint(0, 150_000)}
        a["express"] = {"sells_and_ships_local": True, "parcels": rnd.randint(100_000, 500_000),
                        "online_sales_yuan": rnd.randint(10_000_000, 1_100_000_000)}
    if k == 4:
        a["platform"] = {"annual_transactions_yuan": rnd.randint(50_000_000, 500_000_000),
                         "annual_revenue_yuan": rnd.randint(10_000_000, 30_000_000),
                         "annual_revenue_prev_yuan": rnd.randint(10_000_000, 20_000_000), "first_year": rnd.random() < 0.2,
                         "live_platform_hq": rnd.random() < 0.05}
    if k == 5:
        a["live_base"] = {"platform_licensed": True, "area_m2": rnd.randint(800, 2000), "studios": rnd.randint(5, 20),
                          "active_anchors": rnd.randint(10, 40), "online_retail_yuan": rnd.randint(10_000_000, 40_000_000)}
        a["training"] = {"anchors_trained": rnd.randint(50, 200), "graduates_contracted": rnd.randint(10, 50), "affiliated": False}
    if k == 6:
        a["service_provider"] = {"independent_legal_entity": True, "serves_local_ecommerce": True}
    if k == 7:
        a["cross_border"] = {"import_export_usd": "%d.%02d" % (rnd.randint(0, 50_000_000), rnd.randint(0, 99)),
                             "data_verified": True, "general_trade_reward": rnd.random() < 0.1}
        a["rural"] = {"agri_online_sales_yuan": rnd.randint(1_000_000, 9_000_000)}
    if k == 8:
        a["logistics"] = {"warehouse_area_m2": rnd.randint(2000, 8000), "local_clients": rnd.randint(0, 10),
                          "new_smart_public_warehouse": rnd.random() < 0.3,
                          "investment_excl_land_yuan": rnd.randint(0, 30_000_000), "large_hub": rnd.random() < 0.05}
        a["awards_received"] = [{"article": 11, "year": 2022, "tier": 1}]
    if k == 9:
        a["competing_claims"] = [{"article": 3, "amount_yuan": rnd.randint(0, 3_000_000), "policy": "区其他奖励政策"}]
    return a


def main():
    n = int(sys.argv[1])
    rnd = random.Random(20221101)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump([applicant(i, rnd) for i in range(n)], f, ensure_ascii=False)


if __name__ == "__main__":
    main()
