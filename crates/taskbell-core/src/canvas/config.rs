//! Where a Canvas instance lives and how patient Taskbell is with it.

use super::CanvasError;
use std::time::Duration;
use url::Url;

#[derive(Debug, Clone)]
pub struct CanvasConfig {
    /// The name tasks from this instance are filed under (a task is its system plus its id).
    pub system: String,
    /// FHIR base, e.g. `https://fumage-demo.canvasmedical.com` (no `/fhir` suffix on Canvas).
    pub fhir_base: Url,
    /// OAuth token endpoint, on the EHR host rather than the `fumage-` host.
    pub token_url: Url,
    pub client_id: String,
    pub client_secret: String,
    pub connect_timeout: Duration,
    /// One HTTP exchange, from sending to the last byte of the answer.
    pub request_timeout: Duration,
    /// One whole call, retries and backoff included.
    pub call_timeout: Duration,
    pub max_retries: u32,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// `_count` for searches. Canvas caps it at 100 and says that may change.
    pub page_size: u32,
}

impl CanvasConfig {
    /// A hosted instance by name: `demo` -> `https://fumage-demo.canvasmedical.com` and
    /// `https://demo.canvasmedical.com/auth/token/`.
    pub fn for_instance(
        instance: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Result<Self, CanvasError> {
        let valid = !instance.is_empty()
            && instance
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            return Err(CanvasError::Config(format!(
                "{instance:?} is not a Canvas instance name: use the part before .canvasmedical.com, \
                 lowercase letters, digits and dashes only"
            )));
        }
        Self::with_urls(
            instance,
            &format!("https://fumage-{instance}.canvasmedical.com"),
            &format!("https://{instance}.canvasmedical.com/auth/token/"),
            client_id,
            client_secret,
        )
    }

    /// Any deployment by full URLs (the sandbox, or a custom domain).
    pub fn with_urls(
        system: &str,
        fhir_base: &str,
        token_url: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Result<Self, CanvasError> {
        let parse = |what: &str, s: &str| {
            let url = Url::parse(s.trim())
                .map_err(|e| CanvasError::Config(format!("the {what} {s:?} is not a URL: {e}")))?;
            match url.scheme() {
                "http" | "https" => Ok(url),
                other => Err(CanvasError::Config(format!(
                    "the {what} must be http or https, not {other}"
                ))),
            }
        };
        if client_id.trim().is_empty() || client_secret.is_empty() {
            return Err(CanvasError::Config(
                "a client id and a client secret are both required".into(),
            ));
        }
        Ok(CanvasConfig {
            system: system.to_string(),
            fhir_base: parse("FHIR base URL", fhir_base)?,
            token_url: parse("token URL", token_url)?,
            client_id: client_id.trim().to_string(),
            client_secret: client_secret.to_string(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(20),
            call_timeout: Duration::from_secs(60),
            max_retries: 4,
            backoff_base: Duration::from_millis(300),
            backoff_cap: Duration::from_secs(10),
            page_size: 100,
        })
    }

    /// The FHIR base followed by `path` (`Task`, `Task/123`), keeping any path the base has.
    pub fn fhir_url(&self, path: &str) -> Url {
        let mut url = self.fhir_base.clone();
        let base = url.path().trim_end_matches('/').to_string();
        url.set_path(&format!("{base}/{}", path.trim_start_matches('/')));
        url
    }

    /// Resolves a paging link: Canvas documents them relative (`/Task?…&_offset=10`) but a
    /// server may send them absolute; a relative one is taken against the FHIR base's path.
    pub fn resolve_link(&self, link: &str) -> Result<Url, CanvasError> {
        if let Ok(abs) = Url::parse(link) {
            return Ok(abs);
        }
        let base_path = self.fhir_base.path().trim_end_matches('/');
        let rel = if !base_path.is_empty() && link.starts_with(&format!("{base_path}/")) {
            link.to_string()
        } else {
            format!("{base_path}/{}", link.trim_start_matches('/'))
        };
        self.fhir_base
            .join(&rel)
            .map_err(|e| CanvasError::BadResponse(format!("unusable paging link {link:?}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_names_expand_to_both_hosts() {
        let c = CanvasConfig::for_instance("demo-clinic", "id", "secret").expect("valid");
        assert_eq!(
            c.fhir_url("Task").as_str(),
            "https://fumage-demo-clinic.canvasmedical.com/Task"
        );
        assert_eq!(
            c.token_url.as_str(),
            "https://demo-clinic.canvasmedical.com/auth/token/"
        );
        assert!(CanvasConfig::for_instance("Demo Clinic", "id", "s").is_err());
        assert!(CanvasConfig::for_instance("demo", "", "s").is_err());
    }

    #[test]
    fn links_resolve_against_a_base_with_a_path() {
        let c = CanvasConfig::with_urls(
            "s",
            "http://127.0.0.1:9/fhir",
            "http://127.0.0.1:9/auth/token/",
            "i",
            "s",
        )
        .expect("valid");
        assert_eq!(
            c.fhir_url("/Task/1").as_str(),
            "http://127.0.0.1:9/fhir/Task/1"
        );
        let want = "http://127.0.0.1:9/fhir/Task?_count=10&_offset=10";
        assert_eq!(
            c.resolve_link("/Task?_count=10&_offset=10")
                .expect("ok")
                .as_str(),
            want
        );
        assert_eq!(
            c.resolve_link("/fhir/Task?_count=10&_offset=10")
                .expect("ok")
                .as_str(),
            want
        );
        assert_eq!(c.resolve_link(want).expect("ok").as_str(), want);
        assert!(CanvasConfig::with_urls("s", "ftp://x", "http://x", "i", "s").is_err());
    }
}
