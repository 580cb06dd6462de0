//! The HTTP server: the accept loop, hyper's HTTP/1 connections under the limits
//! a hostile network needs, and graceful shutdown.
//!
//! `axum::serve` has no timeouts and no cap on connections: a client that sends
//! its headers one byte a minute (slowloris), or that opens sockets and sends
//! nothing, holds them for as long as it likes.

use std::future::Future;
use std::io;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use super::{AppState, error, router};

/// The most a request's line and headers may take, and the most hyper buffers of
/// a connection's input: beyond (or past 100 header fields), hyper answers 431,
/// as the Swedish page. A target over 8 KiB is refused by the router (414).
const MAX_HEAD_BYTES: usize = 32 * 1024;

/// Serves until `shutdown` resolves, then lets requests in flight finish (for at
/// most [`super::SHUTDOWN_GRACE`]).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let settings = state.settings.clone();
    let app = router(state);
    let pages = Arc::new(ParseErrorPages::new());
    // A connection holds a permit until it closes; at the cap, new ones wait in
    // the listen queue rather than take file descriptors the server needs.
    let permits = Arc::new(Semaphore::new(settings.max_connections));
    let graceful = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(request)
        });
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            // Runs from the first wait for a head, and again after each response:
            // it is the idle timeout of a kept-alive connection too.
            .header_read_timeout(settings.header_timeout)
            .max_header_size(MAX_HEAD_BYTES)
            .max_buf_size(MAX_HEAD_BYTES);
        let io = TokioIo::new(SwedishParseErrors {
            inner: stream,
            pages: pages.clone(),
            pending: None,
        });
        let connection = graceful.watch(builder.serve_connection(io, service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%peer, "connection ended: {error}");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(super::SHUTDOWN_GRACE) => {
            tracing::warn!("requests still running after the grace period were cut off");
        }
    }
    Ok(())
}

/// A failed accept: a connection reset before it was taken is nothing; anything
/// else (out of file descriptors) is logged and the loop pauses, so that it does
/// not spin.
async fn accept_failed(error: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!("accepting a connection failed: {error}");
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
}

/// The statuses hyper answers by itself, when it cannot parse a request.
const PARSE_ERRORS: [StatusCode; 3] = [
    StatusCode::BAD_REQUEST,
    StatusCode::URI_TOO_LONG,
    StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
];

/// The complete answers (head and Swedish page) that replace hyper's own bare
/// ones, in the order of [`PARSE_ERRORS`].
struct ParseErrorPages([Vec<u8>; 3]);

impl ParseErrorPages {
    fn new() -> Self {
        ParseErrorPages(PARSE_ERRORS.map(answer))
    }

    /// When `written` is exactly hyper's answer to a request it could not parse
    /// (a status line, then no headers but `content-length: 0`, `date` and
    /// `connection`), the page to send instead. Every answer of the router carries
    /// a content type and more, so none of them is taken for one.
    fn replacement(&self, written: &[u8]) -> Option<usize> {
        let mut headers = [httparse::EMPTY_HEADER; 4];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(written) {
            Ok(httparse::Status::Complete(length)) if length == written.len() => {}
            _ => return None,
        }
        let only_hypers = response.headers.iter().all(|h| {
            (h.name.eq_ignore_ascii_case("content-length") && h.value == b"0")
                || h.name.eq_ignore_ascii_case("date")
                || h.name.eq_ignore_ascii_case("connection")
        });
        if !only_hypers {
            return None;
        }
        let code = response.code?;
        PARSE_ERRORS
            .iter()
            .position(|status| status.as_u16() == code)
    }
}

fn answer(status: StatusCode) -> Vec<u8> {
    let body = error::page_html(status);
    let mut bytes = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
         connection: close\r\ncache-control: no-store\r\nx-content-type-options: nosniff\r\n\
         x-frame-options: DENY\r\ncontent-security-policy: {}\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len(),
        super::CONTENT_SECURITY_POLICY,
    )
    .into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

/// The client's socket as hyper sees it, except that hyper's own answer to a
/// request it cannot parse (400, 414 or 431, empty, before any router sees the
/// request) goes out as the Swedish error page. hyper closes the connection after
/// such an answer, so nothing follows it.
struct SwedishParseErrors<IO> {
    inner: IO,
    pages: Arc<ParseErrorPages>,
    /// A replacement being written: which page, how many of its bytes are out, and
    /// how many of hyper's it stands for (reported once it is all out).
    pending: Option<(usize, usize, usize)>,
}

impl<IO: AsyncWrite + Unpin> SwedishParseErrors<IO> {
    fn write_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let (page, mut done, stands_for) = self.pending.expect("a replacement is pending");
        let bytes = &self.pages.0[page];
        while done < bytes.len() {
            let written = match Pin::new(&mut self.inner).poll_write(cx, &bytes[done..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => n,
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Pending => {
                    self.pending = Some((page, done, stands_for));
                    return Poll::Pending;
                }
            };
            done += written;
        }
        self.pending = None;
        Poll::Ready(Ok(stands_for))
    }

    /// Starts replacing `written` if it is one of hyper's bare answers.
    fn replace(&mut self, written: &[u8]) -> bool {
        // Short: hyper's answer is a status line and two headers.
        if written.len() > 256 {
            return false;
        }
        let Some(page) = self.pages.replacement(written) else {
            return false;
        };
        self.pending = Some((page, 0, written.len()));
        true
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for SwedishParseErrors<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for SwedishParseErrors<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.pending.is_some() || this.replace(buf) {
            return this.write_pending(cx);
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.pending.is_none() {
            let total: usize = bufs.iter().map(|b| b.len()).sum();
            if total <= 256 {
                let joined: Vec<u8> = bufs.iter().flat_map(|b| b.iter().copied()).collect();
                this.replace(&joined);
            }
        }
        if this.pending.is_some() {
            return this.write_pending(cx);
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.pending.is_some() {
            ready!(this.write_pending(cx))?;
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.pending.is_some() {
            ready!(this.write_pending(cx))?;
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}
