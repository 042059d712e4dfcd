//! The flags that say which Canvas to talk to, shared by `serve`, `create`, `complete` and
//! `comment`. Secrets come
//! from the environment so they stay out of shell history and `ps`.

use anyhow::{bail, Context};
use canvas_sandbox::Sandbox;
use clap::Args;
use taskbell_core::canvas::CanvasConfig;

#[derive(Args, Debug, Clone)]
pub struct CanvasArgs {
    /// Run against an embedded sandbox (an emulated Canvas) instead of a real instance.
    #[arg(long)]
    pub sandbox: bool,
    /// Simulated staff complete new sandbox tasks after this many seconds.
    #[arg(long, default_value_t = 20)]
    pub staff_delay_secs: u64,
    /// Canvas instance name: the part before .canvasmedical.com.
    #[arg(long)]
    pub instance: Option<String>,
    /// FHIR base URL, for custom domains (with --token-url).
    #[arg(long)]
    pub fhir_base: Option<String>,
    #[arg(long)]
    pub token_url: Option<String>,
    #[arg(long, env = "TASKBELL_CLIENT_ID")]
    pub client_id: Option<String>,
    /// Your practitioner id: tasks are requested by you.
    #[arg(long, env = "TASKBELL_REQUESTER")]
    pub requester: Option<String>,
}

impl CanvasArgs {
    /// The configured Canvas, if any. `TASKBELL_CLIENT_SECRET` holds the secret.
    pub fn canvas(&self) -> anyhow::Result<Option<CanvasConfig>> {
        let secret = || {
            std::env::var("TASKBELL_CLIENT_SECRET")
                .context("set TASKBELL_CLIENT_SECRET to the client secret")
        };
        let id = || {
            self.client_id
                .clone()
                .context("--client-id (or TASKBELL_CLIENT_ID) is required")
        };
        Ok(Some(
            match (&self.instance, &self.fhir_base, &self.token_url) {
                (Some(i), None, None) => CanvasConfig::for_instance(i, &id()?, &secret()?)?,
                (None, Some(f), Some(t)) => {
                    let system = url::Url::parse(f)
                        .ok()
                        .and_then(|u| u.host_str().map(str::to_string))
                        .unwrap_or_else(|| f.clone());
                    CanvasConfig::with_urls(&system, f, t, &id()?, &secret()?)?
                }
                (None, None, None) => return Ok(None),
                _ => bail!("give either --instance, or both --fhir-base and --token-url"),
            },
        ))
    }

    /// The Canvas these flags name: the embedded sandbox (started here, to be kept alive by the
    /// caller) or a configured instance; and the practitioner acting, if known.
    pub async fn connect(&self) -> anyhow::Result<(CanvasConfig, Option<Sandbox>, Option<String>)> {
        let sb = if self.sandbox {
            Some(crate::sandbox::start(0, None, None).await?)
        } else {
            None
        };
        let cfg = match &sb {
            Some(sb) => crate::sandbox::canvas_config(sb)?,
            None => self.canvas()?.context(
                "say which Canvas: --sandbox, --instance, or --fhir-base with --token-url",
            )?,
        };
        let me = self
            .requester
            .clone()
            .or_else(|| sb.as_ref().map(|sb| sb.clinic().requester));
        Ok((cfg, sb, me))
    }
}
