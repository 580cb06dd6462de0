//! The whole main flow once more in a browser where pages may not run JavaScript:
//! every form works with plain HTML.

use sqlx::PgPool;

use crate::harness::E2e;
use crate::steps::{self, Stage};

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_whole_answer_is_given_with_javascript_disabled(pool: PgPool) {
    let mut e2e = E2e::start(pool).await;
    let b = e2e
        .browser_without_javascript("a browser without JavaScript")
        .await;

    // First, that this browser really runs no page scripts.
    b.client
        .goto("data:text/html,<title>utan</title><script>document.title='med'</script>")
        .await
        .expect("a page with a script");
    assert_eq!(b.title().await, "utan", "the page's script did not run");

    let registered = steps::story(&b, Stage::Answered).await;
    steps::read_in_diarium(&b, &registered, false).await;
    e2e.finish().await;
}
