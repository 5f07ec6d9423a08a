//! Demo: a few dozen enterprises across the towns with declared 2023 figures,
//! applications in every state, matches waiting in the proactive list, and
//! actuals against the targets. Written through the store as the demo's
//! accounts would (the seeder is trusted: it runs on the server).

use ecommerce::workflow::{self, Status, Step};
use serde_json::{Value, json};
use store::subsidy::Enterprise;

use crate::AppState;
use crate::error::AppError;

/// The engine's assessment of declared figures with this database's award history.
async fn assessed(state: &AppState, uscc: &str, declared: &Value) -> Result<ecommerce::Assessment, AppError> {
    Ok(app::subsidy::assess_declared(state, uscc, declared, false).await?)
}

pub async fn seed_demo(state: &AppState) -> Result<(), AppError> {
    if !state.store.subsidy_enterprises(None, None).await?.is_empty() {
        return Ok(());
    }
    seed_targets(state).await?;
    let actor = "demo";
    let towns: Vec<String> = state.district.towns.iter().map(|t| t.name.clone()).collect();
    // The demo enterprise account's own company: the public worked example's figures for 2023.
    let demo_uscc = "91370406MA3C7K1020";
    state
        .store
        .subsidy_upsert_enterprise(
            actor,
            &Enterprise {
                uscc: demo_uscc.into(), name: "山亭示范电商有限公司".into(), town: "水泉镇".into(), contact: "张经理".into()
            },
        )
        .await?;
    let worked = json!({"uscc": demo_uscc, "name": "山亭示范电商有限公司", "year": 2023, "registered_in_district": true, "statistically_included": true,
        "entered_on": "2022-03-01", "net_tax_yuan": "1200000", "online_retail_yuan": "62000000", "online_retail_prev_yuan": "51000000",
        "platform_fees": {"annual_transactions_yuan": "62000000", "agreement_signed": true, "fees_paid_yuan": "80000"},
        "express": {"sells_and_ships_local": true, "parcels": 260000, "online_sales_yuan": "62000000"}});
    state.store.subsidy_save_declaration(actor, demo_uscc, 2023, &worked.to_string()).await?;
    let statuses = ["paid", "approved", "under_review", "submitted", "returned", "rejected", "draft", "none", "none", "none"];
    let kinds = ["网络科技", "电子商务", "供应链", "农特产品", "直播传媒", "跨境贸易"];
    for i in 0..36usize {
        let body = format!("MA3{}{:04}", ["C", "D", "E", "F"][i % 4], 1000 + i * 37);
        let Some(code) = kernel::CreditCode::complete(&format!("91370406{body}")[..16]) else { continue };
        let town = towns[i % towns.len()].clone();
        let name = format!(
            "山亭{}{}有限公司",
            ["鲁南", "熠华", "翼云", "岩马", "汇通", "青檀", "抱犊", "凫山", "水泉", "龙泉", "金桥", "润丰"][i % 12],
            kinds[i % kinds.len()]
        );
        let e = Enterprise { uscc: code.as_str().into(), name: name.clone(), town, contact: String::new() };
        state.store.subsidy_upsert_enterprise(actor, &e).await?;
        let scale = (i as i64 % 9) + 1;
        let mut a = json!({"uscc": code.as_str(), "name": name, "year": 2023, "registered_in_district": true, "statistically_included": i % 5 != 4,
            "entered_on": format!("{}-0{}-15", 2020 + (i % 4), 1 + i % 9), "net_tax_yuan": format!("{}", 300_000 * scale),
            "online_retail_yuan": format!("{}", 12_000_000 * scale), "online_retail_prev_yuan": format!("{}", 10_000_000 * scale)});
        if let Some(o) = a.as_object_mut() {
            if i % 2 == 0 {
                o.insert("platform_fees".into(), json!({"annual_transactions_yuan": format!("{}", 3_000_000 * scale), "agreement_signed": true, "fees_paid_yuan": format!("{}", 15_000 * scale)}));
            }
            if i % 3 == 0 {
                o.insert("express".into(), json!({"sells_and_ships_local": true, "parcels": 150_000 + 30_000 * scale, "online_sales_yuan": format!("{}", 12_000_000 * scale)}));
            }
            if i % 7 == 3 {
                o.insert(
                    "cross_border".into(),
                    json!({"import_export_usd": 400_000 * scale, "data_verified": true, "general_trade_reward": false}),
                );
            }
            if i % 11 == 5 {
                o.insert("rural".into(), json!({"agri_online_sales_yuan": format!("{}", 2_000_000 * scale)}));
                o.insert("above_limit".into(), Value::Bool(true));
            }
        }
        state.store.subsidy_save_declaration(actor, code.as_str(), 2023, &a.to_string()).await?;
        let status = statuses[i % statuses.len()];
        if status == "none" {
            continue;
        }
        let assessment = assessed(state, code.as_str(), &a).await?;
        let first = if status == "draft" { Step::Save } else { Step::Submit };
        let to = workflow::next(None, first, "").map_err(|e| AppError::Internal(e.to_string()))?.to;
        let id = state.store.subsidy_save_application(actor, code.as_str(), 2023, &assessment, None, to).await?;
        if matches!(status, "submitted" | "draft") {
            continue;
        }
        state.store.subsidy_transition("commerce", id, Status::Submitted, Status::UnderReview, "", false).await?;
        match status {
            "returned" => {
                state
                    .store
                    .subsidy_transition("commerce", id, Status::UnderReview, Status::Returned, "请补充平台服务费缴费凭证", true)
                    .await?
            }
            "rejected" => {
                state
                    .store
                    .subsidy_transition("commerce", id, Status::UnderReview, Status::Rejected, "经核实，网络零售额未实现同比增长", true)
                    .await?
            }
            "approved" | "paid" => {
                let decisions = workflow::decide_awards(&assessment, &[]).map_err(|e| AppError::Internal(e.to_string()))?;
                state.store.subsidy_approve("commerce", id, Status::UnderReview, &decisions, "符合政策规定").await?;
                if status == "paid" {
                    state.store.subsidy_pay("finance", id, Status::Approved, Status::Paid, "2024-03-20").await?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Demo actuals for 2023 (the year after the policy, when the 2023 targets fall due).
async fn seed_targets(state: &AppState) -> Result<(), AppError> {
    if !state.store.subsidy_actuals().await?.is_empty() {
        return Ok(());
    }
    for (i, t) in app::subsidy::targets::targets(state)?.iter().enumerate() {
        let n = t.number();
        if t.per_town {
            for (k, town) in state.district.towns.iter().enumerate() {
                let v = ((k as i64 * 7 + 3) % 4).max(0);
                let a = store::subsidy::TargetActual {
                    target: t.id.clone(),
                    period: "2023".into(),
                    town: town.name.clone(),
                    value: v,
                    note: String::new(),
                    recorded_by: "demo".into(),
                };
                state.store.subsidy_record_actual("demo", &a).await?;
            }
        } else {
            // Somewhere between half the target and a little above it.
            let v = n / 2 + (n * ((i as i64 * 13) % 70)) / 100;
            let a = store::subsidy::TargetActual {
                target: t.id.clone(),
                period: "2023".into(),
                town: String::new(),
                value: v,
                note: "2023年统计".into(),
                recorded_by: "demo".into(),
            };
            state.store.subsidy_record_actual("demo", &a).await?;
        }
    }
    Ok(())
}
