//! The resilience suite: the real `remiss` binary on a PostgreSQL cluster of the
//! test's own, under faults and attacks, with the load generated inside the test.
//!
//! Each scenario starts what it needs: a cluster with the machine's PostgreSQL
//! server programs (as the embedded default finds them), one or two instances of
//! the binary on free ports, HAProxy in front of two of them. The cluster may be
//! stalled (SIGSTOP), crashed and restarted under load; instances are stopped with
//! SIGTERM or killed with SIGKILL. Afterwards the database is checked: every write
//! the server acknowledged is there, every series is gapless.
//!
//! Run alone with `scripts/test --test resilience`. It needs PostgreSQL's server
//! programs and HAProxy (`apt-get install postgresql haproxy`;
//! `scripts/install-test-parts` installs them) and fails, saying so, without them.

mod city;
mod crew;
mod csrf;
mod harness;
mod hostile;
mod html;
mod http;
mod idor;
mod load;

mod balancer;
mod database;
mod overload;
mod races;
mod sessions;
mod shutdown;
mod xss;

/// The password of every demo account.
pub const PASSWORD: &str = "remiss-demo";
/// The session cookie's name (perhaps behind a prefix such as `__Host-`).
pub const SESSION_COOKIE: &str = "remiss_session";
