//! The start page: the user's roles and where their work is.

use askama::Template;
use axum::response::Response;

use super::AppError;
use super::session::CurrentUser;
use super::views::{Layout, page};
use crate::db::users::OrganRole;

#[derive(Template)]
#[template(path = "home/start.html")]
struct StartPage {
    layout: Layout,
    display_name: String,
    roles: Vec<OrganRole>,
    is_registrar: bool,
    is_admin: bool,
}

pub async fn start_page(user: CurrentUser) -> Result<Response, AppError> {
    page(&StartPage {
        layout: Layout::new("Start", &user, "start"),
        display_name: user.user.display_name.clone(),
        roles: user.user.roles.clone(),
        is_registrar: user.is_registrar(),
        is_admin: user.is_admin(),
    })
}
