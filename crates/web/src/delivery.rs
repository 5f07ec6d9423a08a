//! Delivery of notifications beyond the app: the outbox (`store::notifications`)
//! drained by a background task of `serve`, off unless a deployment names its
//! webhooks. Each webhook gets the notification's JSON by POST, signed with
//! HMAC-SHA256 over the body (`X-Shanting-Signature: sha256=<hex>`), so the
//! receiver can tell it came from this platform; a failure is retried with
//! a doubling delay, and given up after [`MAX_ATTEMPTS`]. Every instance may
//! run the task: a delivery is claimed before it is sent.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use store::Store;
use store::notifications::{Channel, Delivery};

/// The signature header.
pub const SIGNATURE_HEADER: &str = "x-shanting-signature";
/// Attempts before a delivery is marked failed.
pub const MAX_ATTEMPTS: i64 = 8;
/// The first retry's delay; each further one doubles it, up to [`MAX_DELAY`].
pub const FIRST_DELAY: i64 = 30;
pub const MAX_DELAY: i64 = 3600;
/// How long a claimed delivery is left to its sender before another may try.
const LEASE: i64 = 120;

/// What the deployment configured.
#[derive(Clone)]
pub struct Deliverer {
    client: reqwest::Client,
    secret: Vec<u8>,
}

/// `sha256=<hex>` of the body under the secret.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The delay before attempt `attempts + 1` (after `attempts` failures), or
/// None once the delivery is given up.
pub fn backoff(attempts_done: i64) -> Option<i64> {
    if attempts_done >= MAX_ATTEMPTS {
        return None;
    }
    let shift = u32::try_from(attempts_done.saturating_sub(1).max(0)).unwrap_or(u32::MAX).min(16);
    Some(FIRST_DELAY.saturating_mul(1_i64 << shift).min(MAX_DELAY))
}

impl Deliverer {
    pub fn new(secret: &[u8]) -> Result<Deliverer, String> {
        if secret.len() < 16 {
            return Err("Webhook 签名密钥至少 16 个字节（SHANTING_WEBHOOK_SECRET）".into());
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("HTTP 客户端：{e}"))?;
        Ok(Deliverer { client, secret: secret.to_vec() })
    }

    async fn send(&self, d: &Delivery) -> Result<(), String> {
        match d.channel {
            Channel::Webhook => {
                let body = d.payload.clone().into_bytes();
                let r = self
                    .client
                    .post(&d.target)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .header(SIGNATURE_HEADER, sign(&self.secret, &body))
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| format!("发送失败：{e}"))?;
                if r.status().is_success() { Ok(()) } else { Err(format!("对方答复 HTTP {}", r.status().as_u16())) }
            }
            Channel::Email => Err("本部署未启用电子邮件投递".into()),
        }
    }

    /// Send every delivery due now; returns how many were attempted.
    pub async fn run_once(&self, store: &Store) -> store::Result<usize> {
        let now = store::now_secs();
        let due = store.deliveries_due(now, 50).await?;
        let mut n = 0;
        for d in due {
            if !store.claim_delivery(&d, now, LEASE).await? {
                continue;
            }
            n += 1;
            let result = self.send(&d).await;
            let attempts = d.attempts + 1;
            let next = match &result {
                Ok(()) => None,
                Err(_) => backoff(attempts).map(|s| store::now_secs().saturating_add(s)),
            };
            if let Err(e) = &result {
                tracing::warn!(delivery = d.id, attempts, error = %e, "notification delivery failed");
            }
            store.delivery_attempted(d.id, result.as_ref().map(|_| ()).map_err(String::as_str), next).await?;
        }
        Ok(n)
    }

    /// Drain the outbox every `interval` until the task is dropped.
    pub fn spawn(self, store: Store, interval: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                if let Err(e) = self.run_once(&store).await {
                    tracing::error!(error = %e, "outbox");
                }
                tokio::time::sleep(interval).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn retries_back_off_and_stop() {
        assert_eq!(backoff(1), Some(FIRST_DELAY));
        assert_eq!(backoff(2), Some(2 * FIRST_DELAY));
        assert_eq!(backoff(3), Some(4 * FIRST_DELAY));
        assert_eq!(backoff(MAX_ATTEMPTS - 1), Some(MAX_DELAY.min(FIRST_DELAY << (MAX_ATTEMPTS - 2))));
        assert_eq!(backoff(MAX_ATTEMPTS), None);
    }

    #[test]
    fn a_short_secret_is_refused() {
        assert!(Deliverer::new(b"short").is_err());
        assert!(Deliverer::new(b"0123456789abcdef").is_ok());
    }
}
