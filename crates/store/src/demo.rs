//! Demo data for `serve --demo`: one account per role and a few villages
//! per town. Idempotent: running it again adds nothing.

use crate::users::NewUser;
use crate::{Result, Role, Store};

/// The demo password of every demo account (listed in the README).
pub const DEMO_PASSWORD: &str = "shanting-demo";

/// (username, display name, role, department, town, village, credit code)
pub const DEMO_ACCOUNTS: &[(&str, &str, Role, Option<&str>, Option<&str>, Option<&str>, Option<&str>)] = &[
    ("admin", "区级管理员", Role::Admin, None, None, None, None),
    ("commerce", "商投局审核员", Role::Bureau, Some("区商务和投资促进局"), None, None, None),
    ("tax", "税务局征缴专员", Role::Bureau, Some("区税务局"), None, None, None),
    ("emergency", "应急局值班员", Role::Bureau, Some("区应急管理局"), None, None, None),
    ("fund", "公积金联席会议办公室", Role::Bureau, Some("枣庄市住房公积金管理中心山亭管理部"), None, None, None),
    ("town", "水泉镇工作人员", Role::Town, None, Some("水泉镇"), None, None),
    ("agent", "东村代办员", Role::Village, None, Some("水泉镇"), Some("东村"), None),
    ("enterprise", "山亭示范电商有限公司", Role::Enterprise, None, None, None, Some("91370406MA3C7K1020")),
];

/// Demo villages: a handful per town (the real list is imported).
pub const DEMO_VILLAGE_NAMES: &[&str] = &["东村", "西村", "南庄村", "北岭村", "前进社区"];

pub async fn seed_core(store: &Store) -> Result<()> {
    for (u, name, role, dep, town, village, uscc) in DEMO_ACCOUNTS {
        if store.users().await?.iter().any(|x| x.username == *u) {
            continue;
        }
        let nu = NewUser {
            username: (*u).into(),
            password: DEMO_PASSWORD.into(),
            display_name: (*name).into(),
            role: *role,
            department: dep.map(Into::into),
            town: town.map(Into::into),
            village: village.map(Into::into),
            enterprise_uscc: uscc.map(Into::into),
        };
        store.create_user("demo", &nu).await?;
    }
    let towns = store.towns().await?;
    let mut rows = Vec::new();
    for (town, _) in &towns {
        for v in DEMO_VILLAGE_NAMES {
            let kind = if v.ends_with("社区") { "居" } else { "村" };
            rows.push((rows.len() + 2, town.clone(), (*v).to_string(), kind.to_string()));
        }
    }
    store.import_villages("demo", &rows).await?;
    Ok(())
}

/// Everything `serve --demo` shows: the core, then each module's demo data.
pub async fn seed_all(store: &Store) -> Result<()> {
    seed_core(store).await?;
    crate::subsidy::seed_demo(store).await?;
    crate::insurance::seed_demo(store).await?;
    crate::emergency::seed_demo(store).await?;
    crate::meeting::seed_demo(store).await?;
    Ok(())
}
