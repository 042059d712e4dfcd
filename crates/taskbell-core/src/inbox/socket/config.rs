//! Where the plugin channel is and how patient to be with it: the channel's URL, checked and
//! normalised once when the user gives it, and the upgrade request built from it.
//!
//! Apart from the connection because it is what Settings validates before anything connects,
//! and because the key lives here: nothing outside this module ever sees the URL with the key
//! in it, so no error, log line or debug print can quote it.

use super::SocketError;
use crate::backoff::Backoff;
use std::fmt;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::http::header::AUTHORIZATION;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use url::Url;

/// The companion plugin's name and default channel (canvas-plugin/).
pub const DEFAULT_PLUGIN: &str = "taskbell_relay";
pub const DEFAULT_CHANNEL: &str = "taskbell";

/// Reconnect waits: from 1 s, doubling per failure in a row, up to a minute.
pub const RECONNECT_BACKOFF: Backoff =
    Backoff::new(Duration::from_secs(1), Duration::from_secs(60));

/// Where the channel is, the key it wants, and how patient to be with it.
#[derive(Clone)]
pub struct SocketConfig {
    /// The task system events are filed under: the same name as the Canvas client's.
    pub system: String,
    channel_url: Url,
    api_key: String,
    /// Also send the key as `Authorization: <key>`. Canvas hands the `?api_key=` parameter to
    /// the plugin as its `authorization` header; sending the header too keeps the plugin
    /// reachable should a proxy or a later Canvas stop passing the parameter on. Both carry the
    /// same key, so whichever the platform keeps, the plugin sees the right one.
    pub send_authorization: bool,
    /// How often a ping is sent; any frame or pong from the server counts as life.
    pub ping_every: Duration,
    /// A connection that has been silent this long is dropped and replaced.
    pub silence_limit: Duration,
    /// TCP, TLS and the upgrade together.
    pub connect_timeout: Duration,
    pub backoff: Backoff,
    /// A connection that stayed up this long was healthy: the backoff starts over after it.
    pub steady_after: Duration,
}

impl fmt::Debug for SocketConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocketConfig")
            .field("system", &self.system)
            .field("channel_url", &self.channel_url.as_str())
            .field("api_key", &"<hidden>")
            .field("send_authorization", &self.send_authorization)
            .field("ping_every", &self.ping_every)
            .field("silence_limit", &self.silence_limit)
            .field("connect_timeout", &self.connect_timeout)
            .field("backoff", &self.backoff)
            .field("steady_after", &self.steady_after)
            .finish()
    }
}

impl SocketConfig {
    /// A channel by its full URL (`ws://` for the sandbox, `wss://` for Canvas; `http(s)://`
    /// is taken as the same host). Any `api_key` already in the URL is replaced by `api_key`.
    pub fn new(
        system: &str,
        channel_url: &str,
        api_key: &str,
    ) -> Result<SocketConfig, SocketError> {
        if api_key.is_empty() {
            return Err(SocketError::Config(
                "the plugin channel needs its api key".into(),
            ));
        }
        let cfg = SocketConfig {
            system: system.to_string(),
            channel_url: parse_channel_url(channel_url)?,
            api_key: api_key.to_string(),
            send_authorization: true,
            ping_every: Duration::from_secs(20),
            silence_limit: Duration::from_secs(45),
            connect_timeout: Duration::from_secs(15),
            backoff: RECONNECT_BACKOFF,
            steady_after: Duration::from_secs(30),
        };
        cfg.request()?;
        Ok(cfg)
    }

    /// The channel of a hosted instance: `wss://<instance>.canvasmedical.com/plugin-io/ws/<plugin>/<channel>/`.
    pub fn for_instance(
        instance: &str,
        plugin: &str,
        channel: &str,
        api_key: &str,
    ) -> Result<SocketConfig, SocketError> {
        let host_label = !instance.is_empty()
            && instance
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !host_label {
            return Err(SocketError::Config(format!(
                "{instance:?} is not a Canvas instance name: use the part before .canvasmedical.com"
            )));
        }
        // Canvas's own rule for channel names, `[\w-]+`; plugin names are no looser.
        let word = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if !word(plugin) || !word(channel) {
            return Err(SocketError::Config(
                "plugin and channel names may hold only letters, digits, _ and -".into(),
            ));
        }
        let url = format!("wss://{instance}.canvasmedical.com/plugin-io/ws/{plugin}/{channel}/");
        SocketConfig::new(instance, &url, api_key)
    }

    /// The channel's address without the key: safe to show and to log.
    pub fn channel_url(&self) -> &Url {
        &self.channel_url
    }

    fn url_with_key(&self) -> Url {
        let mut url = self.channel_url.clone();
        url.query_pairs_mut().append_pair("api_key", &self.api_key);
        url
    }

    /// The upgrade request. Its errors never quote the URL: it carries the key.
    pub(super) fn request(&self) -> Result<Request, SocketError> {
        let mut request = self
            .url_with_key()
            .as_str()
            .into_client_request()
            .map_err(|_| {
                SocketError::Config("the plugin channel URL cannot be used for a WebSocket".into())
            })?;
        if self.send_authorization {
            let mut value = HeaderValue::from_str(&self.api_key).map_err(|_| {
                SocketError::Config("the api key holds characters a header cannot carry".into())
            })?;
            value.set_sensitive(true);
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        Ok(request)
    }
}

fn parse_channel_url(s: &str) -> Result<Url, SocketError> {
    let mut url = Url::parse(s.trim())
        .map_err(|e| SocketError::Config(format!("the plugin channel URL is not a URL: {e}")))?;
    let scheme = match url.scheme() {
        "ws" | "http" => "ws",
        "wss" | "https" => "wss",
        other => {
            return Err(SocketError::Config(format!(
                "the plugin channel URL must be wss:// or ws://, not {other}://"
            )))
        }
    };
    url.set_scheme(scheme).map_err(|_| {
        SocketError::Config("the plugin channel URL cannot take a WebSocket scheme".into())
    })?;
    if url.host_str().unwrap_or_default().is_empty() {
        return Err(SocketError::Config(
            "the plugin channel URL has no host".into(),
        ));
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "api_key")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.set_query(None);
    if !kept.is_empty() {
        url.query_pairs_mut().extend_pairs(kept);
    }
    url.set_fragment(None);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(key: &str) -> SocketConfig {
        SocketConfig::new(
            "sandbox",
            "ws://127.0.0.1:9/plugin-io/ws/taskbell_relay/taskbell/",
            key,
        )
        .expect("valid")
    }

    #[test]
    fn the_key_travels_url_encoded_and_as_the_authorization_header() {
        let cfg = config("k3y with/odd&chars=");
        let request = cfg.request().expect("request");
        assert_eq!(
            request.uri().to_string(),
            "ws://127.0.0.1:9/plugin-io/ws/taskbell_relay/taskbell/?api_key=k3y+with%2Fodd%26chars%3D"
        );
        assert_eq!(
            request
                .headers()
                .get(AUTHORIZATION)
                .and_then(|v| v.to_str().ok()),
            Some("k3y with/odd&chars=")
        );
        let mut quiet = cfg.clone();
        quiet.send_authorization = false;
        assert!(quiet
            .request()
            .expect("request")
            .headers()
            .get(AUTHORIZATION)
            .is_none());
    }

    #[test]
    fn the_key_never_shows_in_debug_output_or_the_shown_url() {
        let cfg = config("s3cr3t-socket-key");
        assert!(!format!("{cfg:?}").contains("s3cr3t"));
        assert!(!cfg.channel_url().as_str().contains("s3cr3t"));
        assert!(!format!("{:?}", cfg.request().expect("request").headers()).contains("s3cr3t"));
    }

    #[test]
    fn urls_are_normalised_and_checked() {
        let cfg = SocketConfig::new(
            "s",
            "https://x.example/plugin-io/ws/p/c/?api_key=old&v=2#top",
            "new",
        )
        .expect("ok");
        assert_eq!(
            cfg.channel_url().as_str(),
            "wss://x.example/plugin-io/ws/p/c/?v=2"
        );
        assert_eq!(
            cfg.url_with_key().as_str(),
            "wss://x.example/plugin-io/ws/p/c/?v=2&api_key=new"
        );
        let hosted =
            SocketConfig::for_instance("demo", DEFAULT_PLUGIN, DEFAULT_CHANNEL, "k").expect("ok");
        assert_eq!(
            hosted.channel_url().as_str(),
            "wss://demo.canvasmedical.com/plugin-io/ws/taskbell_relay/taskbell/"
        );
        assert_eq!(hosted.system, "demo");
        assert!(SocketConfig::new("s", "ftp://x.example/", "k").is_err());
        assert!(SocketConfig::new("s", "not a url", "k").is_err());
        assert!(SocketConfig::new("s", "wss://x.example/", "").is_err());
        assert!(SocketConfig::new("s", "wss://x.example/", "line\nbreak").is_err());
        assert!(SocketConfig::for_instance(
            "demo.evil.com/x",
            DEFAULT_PLUGIN,
            DEFAULT_CHANNEL,
            "k"
        )
        .is_err());
    }
}
