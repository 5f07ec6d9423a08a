use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;

use store::audit::anchor::{self, AnchorKey, Anchorer};

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
    /// Append the audit trail's head to FILE at start, every minute while
    /// writes happen, and at shutdown (`audit verify --anchor FILE` checks
    /// it). Keep FILE off the database host: see README, 审计日志锚点.
    #[arg(long, env = "SHANTING_AUDIT_ANCHOR", value_name = "FILE")]
    pub audit_anchor: Option<PathBuf>,
    /// Behind a reverse proxy: take the client's address (for login throttling) from the
    /// last hop of X-Forwarded-For or X-Real-IP. Only with a proxy that sets them: anyone
    /// can send these headers to a server that faces clients directly.
    #[arg(long)]
    pub trusted_proxy: bool,
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
        let audit_store = store.clone();
        let app = app::App::new(store, ctx.params.clone(), ctx.calendar.clone())?;
        let mut state = web::AppState::new(app, secure);
        state.trusted_proxy = args.trusted_proxy;
        state.uploads.residents = args.upload_limit_mb << 20;
        if args.demo {
            web::modules::seed_demo(&state).await.map_err(|e| anyhow::anyhow!("演示数据：{e}"))?;
        }
        let anchoring = match args.audit_anchor {
            Some(path) => Some(start_anchoring(&audit_store, path).await?),
            None => None,
        };
        web::serve(state, args.addr).await.context("web server")?;
        if let Some((anchorer, task)) = anchoring {
            task.abort();
            // The writes of the last minute before a stop would otherwise wait
            // for the next start to be anchored.
            anchorer.anchor_if_moved(&audit_store).await.context("审计日志锚定")?;
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Anchor the head now (a file that cannot be written stops the start, not a
/// minute later), then keep anchoring in the background.
async fn start_anchoring(store: &store::Store, path: PathBuf) -> anyhow::Result<(Arc<Anchorer>, tokio::task::JoinHandle<()>)> {
    let anchorer = Arc::new(Anchorer::new(path, AnchorKey::from_env()?));
    anchorer.anchor(store).await.context("审计日志锚定")?;
    if anchorer.key_is_set() {
        tracing::info!(file = %anchorer.path().display(), "audit anchors on, with MAC");
    } else {
        tracing::warn!(file = %anchorer.path().display(), "audit anchors on, without MAC: SHANTING_AUDIT_KEY is not set");
    }
    let task = tokio::spawn(anchorer.clone().run(store.clone(), anchor::DEFAULT_INTERVAL));
    Ok((anchorer, task))
}
