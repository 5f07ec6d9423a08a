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
    /// Deliver every notification also to these webhooks (URLs, comma-separated
    /// in the environment), POSTed as JSON and signed with HMAC-SHA256 under
    /// SHANTING_WEBHOOK_SECRET (header X-Shanting-Signature). Off when none.
    #[arg(long = "webhook", env = "SHANTING_WEBHOOKS", value_delimiter = ',', value_name = "URL")]
    pub webhooks: Vec<String>,
    /// The webhooks' signing key (at least 16 bytes).
    #[arg(long, env = "SHANTING_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    super::init_tracing();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let store = store::Store::connect(&args.db).await.with_context(|| format!("连接数据库 {}", args.db))?;
        let (store, deliverer) = delivery(store, &args)?;
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
        let outbox = deliverer.map(|(d, s)| d.spawn(s, std::time::Duration::from_secs(10)));
        web::serve(state, args.addr).await.context("web server")?;
        if let Some(task) = outbox {
            task.abort();
        }
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

/// The deployment's delivery targets (none by default) and the task that sends them.
fn delivery(store: store::Store, args: &Args) -> anyhow::Result<(store::Store, Option<(web::delivery::Deliverer, store::Store)>)> {
    use store::notifications::{Channel, DeliveryTarget};
    let urls: Vec<String> = args.webhooks.iter().map(|u| u.trim().to_string()).filter(|u| !u.is_empty()).collect();
    if urls.is_empty() {
        return Ok((store, None));
    }
    if let Some(bad) = urls.iter().find(|u| !(u.starts_with("https://") || u.starts_with("http://"))) {
        anyhow::bail!("Webhook 地址应以 https:// 或 http:// 开头：{bad}");
    }
    let secret = args.webhook_secret.as_deref().context("配置了 Webhook，须同时设置签名密钥 SHANTING_WEBHOOK_SECRET")?;
    let deliverer = web::delivery::Deliverer::new(secret.as_bytes()).map_err(|e| anyhow::anyhow!(e))?;
    tracing::info!(webhooks = urls.len(), "notification delivery on");
    let store = store.with_delivery(urls.into_iter().map(|target| DeliveryTarget { channel: Channel::Webhook, target }).collect());
    Ok((store.clone(), Some((deliverer, store))))
}
