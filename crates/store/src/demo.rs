//! Demo data for `serve --demo`: one account per role and a few villages
//! per town. Idempotent: running it again adds nothing.

use crate::users::NewUser;
use crate::{Result, Role, Store};

/// The demo password of every demo account (listed in the README).
pub const DEMO_PASSWORD: &str = "shanting-demo";

/// One demo account.
pub struct DemoAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    pub department: Option<&'static str>,
    pub town: Option<&'static str>,
    pub village: Option<&'static str>,
    pub enterprise_uscc: Option<&'static str>,
}

pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        username: "admin",
        display_name: "区级管理员",
        role: Role::Admin,
        department: None,
        town: None,
        village: None,
        enterprise_uscc: None,
    },
    DemoAccount {
        username: "commerce",
        display_name: "商投局审核员",
        role: Role::Bureau,
        department: Some("区商务和投资促进局"),
        town: None,
        village: None,
        enterprise_uscc: None,
    },
    DemoAccount {
        username: "tax",
        display_name: "税务局征缴专员",
        role: Role::Bureau,
        department: Some("区税务局"),
        town: None,
        village: None,
        enterprise_uscc: None,
    },
    DemoAccount {
        username: "emergency",
        display_name: "应急局值班员",
        role: Role::Bureau,
        department: Some("区应急管理局"),
        town: None,
        village: None,
        enterprise_uscc: None,
    },
    DemoAccount {
        username: "fund",
        display_name: "公积金联席会议办公室",
        role: Role::Bureau,
        department: Some("枣庄市住房公积金管理中心山亭管理部"),
        town: None,
        village: None,
        enterprise_uscc: None,
    },
    DemoAccount {
        username: "hrss",
        display_name: "人社局参保登记员",
        role: Role::Bureau,
        department: Some("区人力资源和社会保障局"),
        town: None,
        village: None,
        enterprise_uscc: None,
    },
    DemoAccount {
        username: "medical",
        display_name: "医保局参保登记员",
        role: Role::Bureau,
        department: Some("区医疗保障局"),
        town: None,
        village: None,
        enterprise_uscc: None,
    },
    DemoAccount {
        username: "finance",
        display_name: "财政局资金科",
        role: Role::Bureau,
        department: Some("区财政局"),
        town: None,
        village: None,
        enterprise_uscc: None,
    },
    DemoAccount {
        username: "civil",
        display_name: "民政局救助科",
        role: Role::Bureau,
        department: Some("区民政局"),
        town: None,
        village: None,
        enterprise_uscc: None,
    },
    DemoAccount {
        username: "disabled",
        display_name: "残联康复部",
        role: Role::Bureau,
        department: Some("区残联"),
        town: None,
        village: None,
        enterprise_uscc: None,
    },
    DemoAccount {
        username: "police",
        display_name: "公安分局户政科",
        role: Role::Bureau,
        department: Some("区公安分局"),
        town: None,
        village: None,
        enterprise_uscc: None,
    },
    DemoAccount {
        username: "auditor",
        display_name: "审计局审计员",
        role: Role::Bureau,
        department: Some("区审计局"),
        town: None,
        village: None,
        enterprise_uscc: None,
    },
    DemoAccount {
        username: "town",
        display_name: "水泉镇工作人员",
        role: Role::Town,
        department: None,
        town: Some("水泉镇"),
        village: None,
        enterprise_uscc: None,
    },
    DemoAccount {
        username: "agent",
        display_name: "东村代办员",
        role: Role::Village,
        department: None,
        town: Some("水泉镇"),
        village: Some("东村"),
        enterprise_uscc: None,
    },
    DemoAccount {
        username: "enterprise",
        display_name: "山亭示范电商有限公司",
        role: Role::Enterprise,
        department: None,
        town: None,
        village: None,
        enterprise_uscc: Some("91370406MA3C7K1020"),
    },
];

/// Demo villages: a handful per town (the real list is imported).
pub const DEMO_VILLAGE_NAMES: &[&str] = &["东村", "西村", "南庄村", "北岭村", "前进社区"];

pub async fn seed_core(store: &Store) -> Result<()> {
    let existing = store.users().await?;
    for a in DEMO_ACCOUNTS {
        if existing.iter().any(|x| x.username == a.username) {
            continue;
        }
        let nu = NewUser {
            username: a.username.into(),
            password: DEMO_PASSWORD.into(),
            display_name: a.display_name.into(),
            role: a.role,
            department: a.department.map(Into::into),
            town: a.town.map(Into::into),
            village: a.village.map(Into::into),
            enterprise_uscc: a.enterprise_uscc.map(Into::into),
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
