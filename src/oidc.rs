//! The municipality's identity provider, spoken to by OpenID Connect: the
//! authorization code flow with PKCE, for a confidential client.
//!
//! The provider's metadata and signing keys are fetched at start in the
//! background ([`Provider::keep_fresh`]) and kept in memory. A provider that is
//! down or slow never holds up the start, and never a password login: a sign-in
//! started meanwhile tries once more and otherwise gets a clear refusal. An ID
//! token signed with a key Remiss has not seen (the provider rotated its keys)
//! makes Remiss fetch the keys again, at most once per [`KEY_REFRESH_INTERVAL`].
//!
//! Every call to the provider is bounded by the configured timeout, follows no
//! redirects, and uses TLS by rustls with the system's trust store.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::url::Url;
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthorizationCode, ClaimsVerificationError, ClientId,
    ClientSecret, CsrfToken, DiscoveryError, EmptyExtraTokenFields, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, HttpClientError, IdToken, IdTokenFields, IdTokenVerifier,
    IssuerUrl, JsonWebKeySet, LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl,
    RequestTokenError, Scope, SignatureVerificationError, StandardErrorResponse,
    StandardTokenResponse, TokenResponse, UserInfoClaims, UserInfoError,
};
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, RwLock};

use crate::domain::sign_in::SubjectKey;

/// Keys are fetched again for an unknown key id at most this often, so that
/// tokens with made-up key ids cannot make Remiss hammer the provider.
pub const KEY_REFRESH_INTERVAL: Duration = Duration::from_secs(60);
/// A failed discovery is tried again by a sign-in no sooner than this.
const DISCOVERY_RETRY: Duration = Duration::from_secs(5);
/// The background task tries a failed discovery again after this, doubling up
/// to [`DISCOVERY_BACKOFF_MAX`]...
const DISCOVERY_BACKOFF_MIN: Duration = Duration::from_secs(5);
const DISCOVERY_BACKOFF_MAX: Duration = Duration::from_secs(300);
/// ...and fetches metadata and keys again this often once it has them, to keep
/// up with changes announced in advance.
const METADATA_REFRESH: Duration = Duration::from_secs(24 * 60 * 60);
/// How far the provider's clock may be ahead of ours for a token's expiry.
const CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::seconds(60);
/// The asymmetric algorithms an ID token may be signed with. (Not the HMAC ones:
/// they would take the client secret as the key.)
const SIGNING_ALGORITHMS: [CoreJwsSigningAlgorithm; 9] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// The client secret, kept out of logs and debug output.
#[derive(Clone)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// How Remiss is registered at the provider.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// Exactly as the provider names itself (a trailing slash matters).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// Where users reach Remiss, without a trailing slash: the redirect URI is
    /// `{public_url}/login/oidc/callback`.
    pub public_url: Url,
    /// The provider as the login page names it ("Logga in med …").
    pub name: String,
    /// The longest any one call to the provider may take.
    pub timeout: Duration,
}

impl OidcConfig {
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

    pub fn redirect_url(&self) -> String {
        format!("{}/login/oidc/callback", self.base())
    }

    /// Where the provider sends the browser after a logout there.
    pub fn post_logout_url(&self) -> String {
        format!("{}/login", self.base())
    }

    fn base(&self) -> &str {
        self.public_url.as_str().trim_end_matches('/')
    }

    /// The provider's origin, which pages must allow forms to go to: logging out
    /// continues there.
    pub fn issuer_origin(&self) -> String {
        Url::parse(&self.issuer)
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_default()
    }
}

/// Entra ID's names for the person (`oid`) and the tenant (`tid`); other
/// providers leave them out.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TenantClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tid: Option<String>,
}

impl AdditionalClaims for TenantClaims {}

type TokenFields = IdTokenFields<
    TenantClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<TokenFields, CoreTokenType>;
type Client = openidconnect::Client<
    TenantClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;
type RemissIdToken = IdToken<
    TenantClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// A sign-in started in this browser: kept in its server-side session until the
/// provider sends the browser back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingLogin {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Where to go after the sign-in (a path on this site).
    pub next: String,
    pub started_at: DateTime<Utc>,
}

/// The person as the provider vouched for them in a verified ID token.
#[derive(Debug, Clone)]
pub struct Identity {
    pub key: SubjectKey,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    /// The ID token itself, for the logout at the provider (`id_token_hint`).
    pub id_token: String,
}

/// Why a sign-in failed on the provider's side (the person's answer is decided
/// by the web layer).
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the identity provider cannot be reached: {0}")]
    Unreachable(String),
    #[error("the identity provider did not answer in time: {0}")]
    Timeout(String),
    #[error("the identity provider refused the authorization code: {0}")]
    CodeRefused(String),
    #[error("the identity provider's answer is not valid: {0}")]
    BadResponse(String),
    #[error("the ID token was refused: {0}")]
    InvalidToken(String),
}

impl OidcError {
    /// Whether the provider is down or slow rather than wrong.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, OidcError::Unreachable(_) | OidcError::Timeout(_))
    }
}

/// What Remiss knows of the provider: its metadata with the signing keys.
struct Known {
    metadata: ProviderMetadataWithLogout,
}

#[derive(Default)]
struct Attempts {
    discovery: Option<Instant>,
    key_refresh: Option<Instant>,
}

/// The identity provider: its configuration, what was fetched from it, and the
/// HTTP client that fetches.
pub struct Provider {
    config: OidcConfig,
    http: reqwest::Client,
    known: RwLock<Option<Arc<Known>>>,
    /// One fetch at a time, and when the last ones were.
    fetching: Mutex<Attempts>,
}

impl Provider {
    pub fn new(config: OidcConfig) -> anyhow::Result<Provider> {
        let http = reqwest::Client::builder()
            // The provider's endpoints answer directly; a redirect is a fault,
            // and following one could lead anywhere (SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .timeout(config.timeout)
            .user_agent(concat!("Remiss/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Provider {
            config,
            http,
            known: RwLock::new(None),
            fetching: Mutex::new(Attempts::default()),
        })
    }

    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// Fetches the metadata and keys at start, trying again with a growing pause
    /// while the provider cannot be reached, then refreshes them once a day.
    pub async fn keep_fresh(self: Arc<Self>) {
        let mut pause = DISCOVERY_BACKOFF_MIN;
        loop {
            match self.discover().await {
                Ok(()) => {
                    pause = DISCOVERY_BACKOFF_MIN;
                    tokio::time::sleep(METADATA_REFRESH).await;
                }
                Err(error) => {
                    tracing::warn!(
                        "single sign-on: could not fetch the provider's metadata ({error}); trying again in {} s",
                        pause.as_secs()
                    );
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(DISCOVERY_BACKOFF_MAX);
                }
            }
        }
    }

    /// Fetches the metadata and keys, replacing what was known.
    async fn discover(&self) -> Result<(), OidcError> {
        let mut attempts = self.fetching.lock().await;
        attempts.discovery = Some(Instant::now());
        let metadata = self.fetch_metadata().await?;
        *self.known.write().await = Some(Arc::new(Known { metadata }));
        tracing::info!(issuer = %self.config.issuer, "single sign-on: provider metadata and keys fetched");
        Ok(())
    }

    async fn fetch_metadata(&self) -> Result<ProviderMetadataWithLogout, OidcError> {
        let issuer = IssuerUrl::new(self.config.issuer.clone())
            .map_err(|e| OidcError::BadResponse(format!("issuer URL: {e}")))?;
        ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(discovery_error)
    }

    /// What is known, or a fresh discovery when nothing is yet (not more often
    /// than [`DISCOVERY_RETRY`]; the background task keeps trying too).
    async fn known(&self) -> Result<Arc<Known>, OidcError> {
        if let Some(known) = self.known.read().await.clone() {
            return Ok(known);
        }
        let mut attempts = self.fetching.lock().await;
        if let Some(known) = self.known.read().await.clone() {
            return Ok(known);
        }
        if attempts
            .discovery
            .is_some_and(|at| at.elapsed() < DISCOVERY_RETRY)
        {
            return Err(OidcError::Unreachable(
                "its metadata could not be fetched a moment ago".into(),
            ));
        }
        attempts.discovery = Some(Instant::now());
        let metadata = self.fetch_metadata().await?;
        let known = Arc::new(Known { metadata });
        *self.known.write().await = Some(known.clone());
        tracing::info!(issuer = %self.config.issuer, "single sign-on: provider metadata and keys fetched");
        Ok(known)
    }

    /// Fetches the signing keys again after a token named one not known, unless
    /// that was done less than [`KEY_REFRESH_INTERVAL`] ago.
    async fn refresh_keys(&self, seen: &Arc<Known>) -> Result<Arc<Known>, OidcError> {
        let mut attempts = self.fetching.lock().await;
        if let Some(current) = self.known.read().await.clone()
            && !Arc::ptr_eq(&current, seen)
        {
            // Someone else fetched them while this request waited.
            return Ok(current);
        }
        if attempts
            .key_refresh
            .is_some_and(|at| at.elapsed() < KEY_REFRESH_INTERVAL)
        {
            return Err(OidcError::InvalidToken(
                "signed with an unknown key, and the keys were fetched less than a minute ago"
                    .into(),
            ));
        }
        attempts.key_refresh = Some(Instant::now());
        let keys = JsonWebKeySet::fetch_async(seen.metadata.jwks_uri(), &self.http)
            .await
            .map_err(|e| match e {
                DiscoveryError::Request(e) => http_error(&e),
                other => OidcError::BadResponse(format!("signing keys: {}", chain(&other))),
            })?;
        let metadata = seen.metadata.clone().set_jwks(keys);
        let known = Arc::new(Known { metadata });
        *self.known.write().await = Some(known.clone());
        tracing::info!("single sign-on: signing keys fetched again for a key not seen before");
        Ok(known)
    }

    fn client(&self, known: &Known) -> Result<Client, OidcError> {
        let redirect = RedirectUrl::new(self.config.redirect_url())
            .map_err(|e| OidcError::BadResponse(format!("redirect URL: {e}")))?;
        Ok(Client::from_provider_metadata(
            known.metadata.clone(),
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.0.clone())),
        )
        .set_redirect_uri(redirect))
    }

    fn verifier<'a>(&self, client: &'a Client) -> IdTokenVerifier<'a, CoreJsonWebKey> {
        client
            .id_token_verifier()
            .set_allowed_algs(SIGNING_ALGORITHMS)
            .set_time_fn(|| Utc::now() - CLOCK_SKEW)
    }

    /// Starts a sign-in: the provider's address to send the browser to, and what
    /// the session must keep until it comes back.
    pub async fn begin(&self, next: &str) -> Result<(Url, PendingLogin), OidcError> {
        let known = self.known().await?;
        let client = self.client(&known)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        let pending = PendingLogin {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            next: next.to_string(),
            started_at: Utc::now(),
        };
        Ok((url, pending))
    }

    /// Finishes a sign-in: redeems the code (with the PKCE verifier) and
    /// verifies the ID token's signature, issuer, audience, expiry and nonce.
    pub async fn finish(&self, code: &str, pending: &PendingLogin) -> Result<Identity, OidcError> {
        let known = self.known().await?;
        let client = self.client(&known)?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| OidcError::BadResponse(format!("no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| OidcError::BadResponse("the token response has no ID token".into()))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let verified = id_token.claims(&self.verifier(&client), &nonce).cloned();
        let (client, claims) = match verified {
            Ok(claims) => (client, claims),
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                let known = self.refresh_keys(&known).await?;
                let client = self.client(&known)?;
                let claims = id_token
                    .claims(&self.verifier(&client), &nonce)
                    .map_err(|e| OidcError::InvalidToken(chain(&e)))?
                    .clone();
                (client, claims)
            }
            Err(error) => return Err(OidcError::InvalidToken(chain(&error))),
        };
        verify_access_token_hash(
            claims.access_token_hash(),
            id_token,
            &tokens,
            &self.verifier(&client),
        )?;

        let extra = claims.additional_claims();
        let key = SubjectKey::from_claims(
            claims.issuer().as_str(),
            claims.subject().as_str(),
            extra.oid.as_deref(),
            extra.tid.as_deref(),
        );
        let mut email = claims.email().map(|e| e.as_str().to_string());
        let mut email_verified = claims.email_verified();
        if email.is_none() {
            // Providers that keep the ID token small give the address from
            // their userinfo endpoint instead.
            match self.userinfo(&client, &tokens, claims.subject()).await {
                Ok(Some(info)) => {
                    email = info.email().map(|e| e.as_str().to_string());
                    email_verified = info.email_verified();
                }
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!("single sign-on: userinfo could not be read: {error}")
                }
            }
        }
        Ok(Identity {
            key,
            email,
            email_verified,
            id_token: id_token.to_string(),
        })
    }

    async fn userinfo(
        &self,
        client: &Client,
        tokens: &Tokens,
        subject: &openidconnect::SubjectIdentifier,
    ) -> Result<Option<UserInfoClaims<TenantClaims, CoreGenderClaim>>, OidcError> {
        let Ok(request) = client.user_info(tokens.access_token().clone(), Some(subject.clone()))
        else {
            return Ok(None);
        };
        request
            .request_async(&self.http)
            .await
            .map(Some)
            .map_err(|e| match e {
                UserInfoError::Request(e) => http_error(&e),
                other => OidcError::BadResponse(format!("userinfo: {}", chain(&other))),
            })
    }

    /// Where to send the browser to end the session at the provider too, if it
    /// offers RP-initiated logout on its own origin (the only one the pages' CSP
    /// lets a form go to besides Remiss).
    pub async fn logout_url(&self, id_token: &str) -> Option<Url> {
        let known = self.known.read().await.clone()?;
        let end_session = known
            .metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        if end_session.url().origin().ascii_serialization() != self.config.issuer_origin() {
            tracing::warn!(
                "single sign-on: the provider's end_session_endpoint is on another origin; logging out of Remiss only"
            );
            return None;
        }
        let mut request = LogoutRequest::from(end_session)
            .set_client_id(ClientId::new(self.config.client_id.clone()))
            .set_post_logout_redirect_uri(
                PostLogoutRedirectUrl::new(self.config.post_logout_url()).ok()?,
            );
        if let Ok(token) = id_token.parse::<RemissIdToken>() {
            request = request.set_id_token_hint(&token);
        }
        Some(request.http_get_url())
    }
}

/// The access token is bound to the ID token by `at_hash`, where the provider
/// gives one.
fn verify_access_token_hash(
    expected: Option<&AccessTokenHash>,
    id_token: &RemissIdToken,
    tokens: &Tokens,
    verifier: &IdTokenVerifier<'_, CoreJsonWebKey>,
) -> Result<(), OidcError> {
    let Some(expected) = expected else {
        return Ok(());
    };
    let invalid = |e: &dyn std::error::Error| OidcError::InvalidToken(format!("at_hash: {e}"));
    let algorithm = id_token.signing_alg().map_err(|e| invalid(&e))?;
    let key = id_token.signing_key(verifier).map_err(|e| invalid(&e))?;
    let actual = AccessTokenHash::from_token(tokens.access_token(), algorithm, key)
        .map_err(|e| invalid(&e))?;
    if &actual == expected {
        Ok(())
    } else {
        Err(OidcError::InvalidToken(
            "the access token does not match the ID token's at_hash".into(),
        ))
    }
}

fn http_error(error: &HttpClientError<reqwest::Error>) -> OidcError {
    match error {
        HttpClientError::Reqwest(e) if e.is_timeout() => OidcError::Timeout(chain(e.as_ref())),
        other => OidcError::Unreachable(chain(other)),
    }
}

fn discovery_error(error: DiscoveryError<HttpClientError<reqwest::Error>>) -> OidcError {
    match error {
        DiscoveryError::Request(e) => http_error(&e),
        other => OidcError::BadResponse(format!("discovery: {}", chain(&other))),
    }
}

fn token_error(
    error: RequestTokenError<
        HttpClientError<reqwest::Error>,
        StandardErrorResponse<CoreErrorResponseType>,
    >,
) -> OidcError {
    match error {
        RequestTokenError::Request(e) => http_error(&e),
        RequestTokenError::ServerResponse(response) => OidcError::CodeRefused(format!(
            "{}{}",
            response.error(),
            response
                .error_description()
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        )),
        other => OidcError::BadResponse(format!("token endpoint: {}", chain(&other))),
    }
}

/// An error with its causes, for the log.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
