use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context as _;

use super::Ctx;

#[derive(clap::Args)]
pub struct Args {
    /// Database URL: sqlite://path (the embedded default, created on first run) or postgres://…
    #[arg(long, env = "SHANTING_DB", default_value = "sqlite://shanting.db")]
    pub db: String,
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Seed demo data and one demo account per role (see README).
    #[arg(long)]
    pub demo: bool,
    /// Mark session cookies `Secure` even on a loopback address (they always are on other addresses).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Largest resident list accepted by upload, MiB; it is streamed to a
    /// temporary file, never held in memory (other uploads: 20 MiB).
    #[arg(long, env = "SHANTING_UPLOAD_LIMIT_MB", default_value_t = 256)]
    pub upload_limit_mb: u64,
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    super::init_tracing();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let store = store::Store::connect(&args.db).await.with_context(|| format!("连接数据库 {}", args.db))?;
        let district = district::District::load(&ctx.params)?;
        store.seed_reference(&district).await?;
        if args.demo {
            store::demo::seed_all(&store).await?;
            tracing::info!("demo data seeded; demo accounts use the password {}", store::demo::DEMO_PASSWORD);
        } else if store.user_count().await? == 0 {
            tracing::warn!("no accounts yet: create the first administrator with `shanting admin create-user`");
        }
        let secure = args.secure_cookies || !args.addr.ip().is_loopback();
        let mut state = web::AppState::new(store, ctx.params.clone(), ctx.calendar.clone(), district, secure);
        state.uploads.residents = args.upload_limit_mb << 20;
        if args.demo {
            web::modules::seed_demo(&state).await.map_err(|e| anyhow::anyhow!("演示数据：{e}"))?;
        }
        web::serve(state, args.addr).await.context("web server")?;
        Ok(ExitCode::SUCCESS)
    })
}
