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
        /// Read from SHANTING_PASSWORD when not given. At least 10 characters, not the username, not a common password.
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
    /// Set a new password for an account (read from SHANTING_PASSWORD); its sessions end.
    ResetPassword {
        #[arg(long, env = "SHANTING_DB", default_value = "sqlite://shanting.db")]
        db: String,
        #[arg(long)]
        username: String,
    },
    /// Disable an account: it can no longer log in, and its sessions end.
    Disable {
        #[arg(long, env = "SHANTING_DB", default_value = "sqlite://shanting.db")]
        db: String,
        #[arg(long)]
        username: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(long, env = "SHANTING_DB", default_value = "sqlite://shanting.db")]
        db: String,
        #[arg(long)]
        username: String,
    },
}

/// A password the policy refuses is invalid input: exit 2, nothing written.
fn refuse_password(username: &str, password: &str) -> Option<ExitCode> {
    let e = store::password::check(username, password).err()?;
    eprintln!("错误: {e}");
    Some(ExitCode::from(2))
}

pub fn run(cmd: Command, _ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    match cmd {
        Command::CreateUser { db, username, password, name, role, department, town, village, uscc } => {
            let role =
                store::Role::parse(&role).with_context(|| format!("--role: 未知角色 {role}（admin|bureau|town|village|enterprise）"))?;
            if let Some(c) = &uscc {
                kernel::CreditCode::parse(c).map_err(|e| anyhow::anyhow!("--uscc: {e}"))?;
            }
            if let Some(code) = refuse_password(&username, &password) {
                return Ok(code);
            }
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
        Command::ResetPassword { db, username } => {
            // Only from the environment: a password on the command line is visible to every user of the machine.
            let Ok(password) = std::env::var("SHANTING_PASSWORD") else {
                eprintln!("错误: 请在环境变量 SHANTING_PASSWORD 中提供新密码");
                return Ok(ExitCode::from(2));
            };
            if let Some(code) = refuse_password(&username, &password) {
                return Ok(code);
            }
            rt.block_on(async move {
                let store = store::Store::connect(&db).await?;
                let u = account(&store, &username).await?;
                let ended = store.reset_password("cli", u.id, &password).await?;
                println!("已为账号 {username} 设置新密码，结束其 {ended} 个登录会话");
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::Disable { db, username } => set_active(&rt, &db, &username, false),
        Command::Enable { db, username } => set_active(&rt, &db, &username, true),
    }
}

async fn account(store: &store::Store, username: &str) -> anyhow::Result<store::User> {
    store.user_by_name(username).await?.with_context(|| format!("--username: 没有账号 {username}"))
}

fn set_active(rt: &tokio::runtime::Runtime, db: &str, username: &str, active: bool) -> anyhow::Result<ExitCode> {
    rt.block_on(async move {
        let store = store::Store::connect(db).await?;
        let u = account(&store, username).await?;
        let ended = store.set_active("cli", u.id, active).await?;
        if active {
            println!("已启用账号 {username}");
        } else {
            println!("已停用账号 {username}，结束其 {ended} 个登录会话");
        }
        Ok(ExitCode::SUCCESS)
    })
}
