//! The organ list, kept in memory: the list, search and start pages all show it,
//! and it changes only through the admin pages.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use sqlx::PgConnection;

use crate::db;
use crate::db::organs::Organ;

/// How long a copy is used. An admin's change shows at once on the instance that
/// made it and within this time on the others.
const FRESH_FOR: Duration = Duration::from_secs(10);

#[derive(Debug, Default)]
pub struct OrganCache {
    copy: Mutex<Option<(Instant, Vec<Organ>)>>,
}

impl OrganCache {
    /// Every organ, by name.
    pub async fn list(&self, conn: &mut PgConnection) -> sqlx::Result<Vec<Organ>> {
        if let Some((at, organs)) = &*self.lock()
            && at.elapsed() < FRESH_FOR
        {
            return Ok(organs.clone());
        }
        let organs = db::organs::list(conn).await?;
        *self.lock() = Some((Instant::now(), organs.clone()));
        Ok(organs)
    }

    /// The ids of every organ: what a registration's organs are checked against.
    /// A copy up to ten seconds old is safe there, as the foreign keys refuse an
    /// organ that is gone.
    pub async fn ids(&self, conn: &mut PgConnection) -> sqlx::Result<Vec<uuid::Uuid>> {
        Ok(self.list(conn).await?.into_iter().map(|o| o.id).collect())
    }

    /// After a change to an organ, so that the next page reads it again.
    pub fn forget(&self) {
        *self.lock() = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Instant, Vec<Organ>)>> {
        // A panic while holding the lock leaves nothing half-written here.
        self.copy
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
