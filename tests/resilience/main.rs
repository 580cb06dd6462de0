//! The resilience suite: the real `remiss` binary on a PostgreSQL cluster of the
//! test's own, under faults and attacks, with the load generated inside the test.
//!
//! Each scenario starts what it needs: a cluster with the machine's PostgreSQL
//! server programs (as the embedded default finds them, copied from a template
//! made once), one or two instances of the binary on free ports, HAProxy in front
//! of two of them. The cluster may be stalled (SIGSTOP), stopped, crashed and
//! restarted under load; instances are stopped with SIGTERM or killed with
//! SIGKILL. Afterwards the database is checked: every write the server
//! acknowledged is there, every series is gapless, nothing changed that a refused
//! request touched.
//!
//! The scenarios that bound an answer in time run alone; the others two at a
//! time. Settings the server takes for them: `REMISS_REQUEST_TIMEOUT` (the
//! database outages) and `REMISS_HEADER_TIMEOUT` (slowloris).
//!
//! Run alone with `scripts/test --test resilience`. It needs PostgreSQL's server
//! programs and HAProxy (`apt-get install postgresql haproxy`;
//! `scripts/install-test-parts` installs them) and fails, saying so, without them.

mod city;
mod crew;
mod harness;
mod html;
mod http;
mod load;

mod balancer;
mod csrf;
mod database;
mod hostile;
mod idor;
mod overload;
mod races;
mod sessions;
mod shutdown;
mod xss;

/// The password of every demo account.
pub const PASSWORD: &str = "remiss-demo";
/// The session cookie's name (perhaps behind a prefix such as `__Host-`).
pub const SESSION_COOKIE: &str = "remiss_session";
