use std::process::ExitCode;

use anyhow::Context as _;

use super::Ctx;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Create an account (the first administrator, or any other).
    CreateUser {
        #[arg(long, env = "SHANTING_DB", default_value = "sqlite://shanting.db")]
        db: String,
        #[arg(long)]
        username: String,
        /// Read from SHANTING_PASSWORD when not given.
        #[arg(long, env = "SHANTING_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long)]
        name: Option<String>,
        /// admin | bureau | town | village | enterprise
        #[arg(long, default_value = "admin")]
        role: String,
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        town: Option<String>,
        #[arg(long)]
        village: Option<String>,
        #[arg(long)]
        uscc: Option<String>,
    },
}

pub fn run(cmd: Command, _ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let Command::CreateUser { db, username, password, name, role, department, town, village, uscc } = cmd;
    let role = store::Role::parse(&role).with_context(|| format!("--role: 未知角色 {role}（admin|bureau|town|village|enterprise）"))?;
    if let Some(c) = &uscc {
        kernel::CreditCode::parse(c).map_err(|e| anyhow::anyhow!("--uscc: {e}"))?;
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async move {
        let store = store::Store::connect(&db).await?;
        let nu = store::users::NewUser {
            display_name: name.unwrap_or_else(|| username.clone()),
            username,
            password,
            role,
            department,
            town,
            village,
            enterprise_uscc: uscc,
        };
        let u = store.create_user("cli", &nu).await?;
        println!("已创建账号 {}（{}）", u.username, u.role.label());
        Ok(ExitCode::SUCCESS)
    })
}
