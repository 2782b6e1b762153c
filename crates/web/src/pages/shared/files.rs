//! A dossier's file for the pages (`/tep/{id}`): the same permission as the API, but a
//! visitor who is not logged in goes to the login page.

use crate::AppState;
use crate::auth::MaybeAuth;
use crate::error::ApiError;
use crate::extract::Path;
use axum::extract::State;
use axum::response::Response;

/// The same for the pages: a visitor who is not logged in goes to the login page.
pub async fn download_page(
    State(state): State<AppState>,
    MaybeAuth(who): MaybeAuth,
    uri: axum::http::Uri,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    match who {
        Some((account, _)) => crate::uploads::serve_file(&state, &account.actor(), &id).await,
        None => Ok(crate::pages::login_redirect(&uri)),
    }
}
