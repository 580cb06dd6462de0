//! How people sign in: single sign-on through the municipality's identity
//! provider (OpenID Connect), and the local passwords beside it.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use openidconnect::url::Url;

use crate::oidc::{OidcConfig, Secret};

/// Whether accounts may sign in with a password kept in Remiss.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum LocalLogin {
    #[default]
    On,
    Off,
}

#[derive(Debug, Clone, Args)]
pub struct SignInArgs {
    /// The identity provider's issuer URL, for single sign-on by OpenID Connect
    /// (for Entra ID: https://login.microsoftonline.com/TENANT-ID/v2.0).
    #[arg(long, env = "REMISS_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// Remiss's client id at the identity provider.
    #[arg(long, env = "REMISS_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// Remiss's client secret at the identity provider (prefer the file or the
    /// environment: a command line is visible to other users of the machine).
    #[arg(
        long,
        env = "REMISS_OIDC_CLIENT_SECRET",
        hide_env_values = true,
        conflicts_with = "oidc_client_secret_file"
    )]
    pub oidc_client_secret: Option<String>,
    /// A file holding the client secret.
    #[arg(long, env = "REMISS_OIDC_CLIENT_SECRET_FILE")]
    pub oidc_client_secret_file: Option<PathBuf>,
    /// The identity provider as the login page names it: "Logga in med …".
    #[arg(long, env = "REMISS_OIDC_NAME", default_value = "kommunens inloggning")]
    pub oidc_name: String,
    /// The address users reach Remiss at, e.g. https://remiss.kommun.se; the
    /// provider sends them back to PUBLIC_URL/login/oidc/callback.
    #[arg(long, env = "REMISS_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Whether accounts may sign in with a password kept in Remiss (the demo, a
    /// break-glass administrator); `off` needs single sign-on.
    #[arg(long, env = "REMISS_LOCAL_LOGIN", value_enum, default_value_t = LocalLogin::On)]
    pub local_login: LocalLogin,
}

impl SignInArgs {
    /// The identity provider's settings, checked, or none when single sign-on is
    /// not configured.
    pub fn oidc_config(&self) -> anyhow::Result<Option<OidcConfig>> {
        let given = self.oidc_issuer.is_some()
            || self.oidc_client_id.is_some()
            || self.oidc_client_secret.is_some()
            || self.oidc_client_secret_file.is_some();
        if !given {
            if self.local_login == LocalLogin::Off {
                bail!(
                    "--local-login off needs single sign-on (--oidc-issuer and the rest), or nobody could sign in"
                );
            }
            return Ok(None);
        }
        let issuer = self
            .oidc_issuer
            .as_deref()
            .context("single sign-on needs --oidc-issuer")?;
        // Kept exactly as given: the provider's metadata must name the same.
        let issuer_url =
            Url::parse(issuer).with_context(|| format!("--oidc-issuer {issuer} is not a URL"))?;
        require_https("--oidc-issuer", &issuer_url)?;
        let client_id = self
            .oidc_client_id
            .clone()
            .filter(|id| !id.trim().is_empty())
            .context("single sign-on needs --oidc-client-id")?;
        let client_secret = match (&self.oidc_client_secret, &self.oidc_client_secret_file) {
            (Some(secret), _) => secret.clone(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .with_context(|| format!("could not read {}", path.display()))?
                .trim_end_matches(['\r', '\n'])
                .to_string(),
            (None, None) => {
                bail!("single sign-on needs --oidc-client-secret or --oidc-client-secret-file")
            }
        };
        if client_secret.is_empty() {
            bail!("the client secret for single sign-on is empty");
        }
        let public_url = self
            .public_url
            .as_deref()
            .context("single sign-on needs --public-url, the address users reach Remiss at")?;
        let public_url = Url::parse(public_url.trim_end_matches('/'))
            .with_context(|| format!("--public-url {public_url} is not a URL"))?;
        require_https("--public-url", &public_url)?;
        if public_url.query().is_some() || public_url.fragment().is_some() {
            bail!("--public-url takes no query or fragment");
        }
        let name = self.oidc_name.trim();
        if name.is_empty() {
            bail!("--oidc-name is empty");
        }
        Ok(Some(OidcConfig {
            issuer: issuer.to_string(),
            client_id,
            client_secret: Secret(client_secret),
            public_url,
            name: name.to_string(),
            timeout: OidcConfig::DEFAULT_TIMEOUT,
        }))
    }
}

/// Single sign-on sends secrets and tokens: HTTPS, except on this machine (a
/// test provider, a proxy on the same host).
fn require_https(flag: &str, url: &Url) -> anyhow::Result<()> {
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => bail!("{flag} must be an https:// address (http:// only for localhost)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> SignInArgs {
        SignInArgs {
            oidc_issuer: Some("https://login.microsoftonline.com/tenant/v2.0/".into()),
            oidc_client_id: Some("client".into()),
            oidc_client_secret: Some("secret".into()),
            oidc_client_secret_file: None,
            oidc_name: "kommunens inloggning".into(),
            public_url: Some("https://remiss.kommun.se/".into()),
            local_login: LocalLogin::On,
        }
    }

    #[test]
    fn a_complete_configuration_gives_the_redirect_uri() {
        let config = args().oidc_config().unwrap().unwrap();
        assert_eq!(
            config.redirect_url(),
            "https://remiss.kommun.se/login/oidc/callback"
        );
        assert_eq!(config.post_logout_url(), "https://remiss.kommun.se/login");
        assert_eq!(
            config.issuer, "https://login.microsoftonline.com/tenant/v2.0/",
            "as given"
        );
        assert_eq!(config.issuer_origin(), "https://login.microsoftonline.com");
        assert!(!format!("{config:?}").contains("secret\""), "{config:?}");
    }

    #[test]
    fn nothing_given_is_no_single_sign_on_unless_passwords_are_off() {
        let none = SignInArgs {
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            public_url: None,
            ..args()
        };
        assert!(none.oidc_config().unwrap().is_none());
        let off = SignInArgs {
            local_login: LocalLogin::Off,
            ..none
        };
        assert!(off.oidc_config().is_err());
    }

    #[test]
    fn a_partial_or_insecure_configuration_is_refused() {
        for broken in [
            SignInArgs {
                oidc_issuer: None,
                ..args()
            },
            SignInArgs {
                oidc_client_id: None,
                ..args()
            },
            SignInArgs {
                oidc_client_secret: None,
                ..args()
            },
            SignInArgs {
                public_url: None,
                ..args()
            },
            SignInArgs {
                oidc_issuer: Some("http://idp.kommun.se".into()),
                ..args()
            },
            SignInArgs {
                public_url: Some("http://remiss.kommun.se".into()),
                ..args()
            },
            SignInArgs {
                public_url: Some("https://remiss.kommun.se/?a=b".into()),
                ..args()
            },
        ] {
            assert!(broken.oidc_config().is_err(), "{broken:?}");
        }
        let local = SignInArgs {
            oidc_issuer: Some("http://127.0.0.1:8080".into()),
            public_url: Some("http://localhost:3000".into()),
            ..args()
        };
        assert!(local.oidc_config().unwrap().is_some());
    }

    #[test]
    fn the_secret_is_read_from_its_file_without_the_line_end() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut file, b"from-file\n").unwrap();
        let config = SignInArgs {
            oidc_client_secret: None,
            oidc_client_secret_file: Some(file.path().into()),
            ..args()
        }
        .oidc_config()
        .unwrap()
        .unwrap();
        assert_eq!(config.client_secret.0, "from-file");
    }
}
