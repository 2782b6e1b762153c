//! Files on the dossier pages: the list with download links (citizen and officer), the
//! upload form (citizen's draft and supplement, the desk while it checks a dossier), and
//! the officer's "complete with the result's file". Forms are multipart and work without
//! JavaScript; every attachment goes through the domain.

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::{self, Lang};
use crate::pages::portal::dossiers::Feedback;
use crate::pages::shared::auth::PageUser;
use crate::uploads::{self as df, Uploaded};
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::dossiers::{self as service, Request, Target};
use motcua_domain::access::{Action, Actor, units_for};
use motcua_domain::dossier::{Change, Command, Dossier, Event, Status};
use motcua_store::files::{Purpose, StoredFile};

pub struct FileRow {
    pub id: String,
    pub name: String,
    pub size: String,
    pub kind: &'static str,
    pub component: String,
    pub at: String,
    /// The first 12 hex digits of the SHA-256, to compare with a printed copy.
    pub digest: String,
}

pub struct ComponentOption {
    pub no: usize,
    pub name: String,
    pub required: bool,
}

impl ComponentOption {
    /// The procedure's components are its data; "other papers" is the portal's own words.
    pub fn is_data(&self) -> bool {
        self.no > 0
    }
}

/// What the pages show of a dossier's files, and the upload form when one is allowed.
pub struct FilesPanel {
    pub components: Vec<FileRow>,
    pub results: Vec<FileRow>,
    /// Components whose paper original the desk saw without digitising: (component, why).
    pub paper: Vec<(String, String)>,
    pub options: Vec<ComponentOption>,
    /// The form's action, where this reader may upload now.
    pub upload_to: Option<String>,
    pub max_mb: u64,
}

/// "1,5 MB", "320 KB", "900 byte": sizes as Vietnamese write them.
pub fn human_size(bytes: u64) -> String {
    size_in(Lang::Vi, bytes)
}

/// A size as the reader writes it: "1,5 MB" in Vietnamese, "1.5 MB" in English.
pub fn size_in(lang: Lang, bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        let tenths = (bytes * 10 + MB / 2) / MB;
        // Vietnamese writes the decimal comma.
        let mark = match lang {
            Lang::Vi => ',',
            Lang::En => '.',
        };
        format!("{}{mark}{} MB", tenths / 10, tenths % 10)
    } else if bytes >= KB {
        format!("{} KB", (bytes + KB / 2) / KB)
    } else {
        // Vietnamese nouns do not take a plural.
        match lang {
            Lang::Vi => format!("{bytes} byte"),
            Lang::En => format!("{bytes} bytes"),
        }
    }
}

fn kind_label(lang: Lang, media_type: &str) -> &'static str {
    match media_type {
        "application/pdf" => "PDF",
        "image/jpeg" => lang.t("dossier.file.jpeg"),
        "image/png" => lang.t("dossier.file.png"),
        _ => lang.t("dossier.file.other"),
    }
}

fn row(f: &StoredFile, lang: Lang) -> FileRow {
    FileRow {
        id: f.id.clone(),
        name: f.name.clone(),
        size: size_in(lang, f.size),
        kind: kind_label(lang, &f.media_type),
        component: f.component.clone().unwrap_or_default(),
        at: i18n::when(lang, f.created_at),
        digest: f.sha256.chars().take(12).collect(),
    }
}

/// Whether this reader may upload to the dossier now: its applicant (or the helper) on a
/// draft or a supplement request; the desk while it checks it or takes a supplement.
fn may_upload(actor: &Actor, d: &Dossier, tree: &motcua_domain::unit::UnitTree) -> bool {
    let own = actor.account_id == d.applicant;
    match d.status {
        Status::Draft => {
            own || (d.helper.as_deref() == Some(actor.account_id.as_str())
                && units_for(actor, Action::SubmitOnBehalf, tree).contains(&d.unit))
        }
        Status::SupplementRequested => {
            own || units_for(actor, Action::ReceiveDossier, tree)
                .iter()
                .any(|u| u.province() == d.unit.province())
        }
        Status::Submitted => {
            !own && units_for(actor, Action::ReceiveDossier, tree)
                .iter()
                .any(|u| u.province() == d.unit.province())
        }
        _ => false,
    }
}

pub async fn panel(
    state: &AppState,
    actor: &Actor,
    d: &Dossier,
    events: &[Event],
    lang: Lang,
) -> Result<FilesPanel, ApiError> {
    let files = state.app.store.dossier_files(&d.id).await?;
    let tree = state.app.store.unit_tree().await?;
    let mut options: Vec<ComponentOption> = df::components(&state.app, d)
        .await
        .into_iter()
        .enumerate()
        .map(|(i, (name, required))| ComponentOption {
            no: i + 1,
            name,
            required,
        })
        .collect();
    options.push(ComponentOption {
        no: 0,
        // The form posts the number; the stored name stays OTHER_COMPONENT.
        name: lang.t("dossier.file.other_component").to_owned(),
        required: false,
    });
    Ok(FilesPanel {
        components: files
            .iter()
            .filter(|f| f.purpose == Purpose::Component)
            .map(|f| row(f, lang))
            .collect(),
        results: files
            .iter()
            .filter(|f| f.purpose == Purpose::Result)
            .map(|f| row(f, lang))
            .collect(),
        paper: events
            .iter()
            .filter_map(|e| match &e.change {
                Change::PaperSeen { component, reason } => {
                    Some((component.clone(), reason.clone()))
                }
                _ => None,
            })
            .collect(),
        options,
        upload_to: may_upload(actor, d, &tree).then(|| format!("/ho-so/{}/tep", d.id)),
        max_mb: state.app.files.max_bytes() / (1024 * 1024),
    })
}

/// Reads a page's multipart form, storing nothing unless its form token is right.
async fn read_form(
    state: &AppState,
    user: &PageUser,
    mp: Multipart,
) -> Result<(crate::pages::shared::forms_render::Posted, Vec<Uploaded>), ApiError> {
    let (p, files) = df::read_multipart(state, mp, |p| {
        if user.csrf_ok(p.get("csrf_token")) {
            Ok(())
        } else {
            Err(ApiError::csrf())
        }
    })
    .await?;
    if !user.csrf_ok(p.get("csrf_token")) {
        return Err(ApiError::csrf());
    }
    Ok((p, files))
}

/// The applicant's page or the officer's, with the refusal shown on it.
async fn back_with(
    state: &AppState,
    user: &PageUser,
    actor: &Actor,
    id: &str,
    e: ApiError,
) -> Result<Response, ApiError> {
    if e.status == StatusCode::NOT_FOUND || e.code == "csrf_failed" {
        return Err(e);
    }
    let stored = state
        .app
        .store
        .dossier(id)
        .await
        .map_err(|_| ApiError::not_found("hồ sơ", "Dossier"))?;
    let (fb, status) = Feedback::failed(e, user.lang());
    if stored.state.applicant == actor.account_id {
        crate::pages::portal::dossiers::page(state, user, &stored, fb, None, status).await
    } else {
        crate::pages::office::inbox::page(state, user, actor, &stored, fb, status).await
    }
}

fn page_for(actor: &Actor, d: &Dossier) -> String {
    if actor.account_id == d.applicant {
        format!("/ho-so/{}", d.id)
    } else {
        format!("/can-bo/ho-so/{}", d.id)
    }
}

/// `POST /ho-so/{id}/tep`: one file for one component.
pub async fn upload(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    mp: Multipart,
) -> Result<Response, ApiError> {
    let Some(account) = user.account() else {
        return Err(ApiError::unauthenticated());
    };
    let actor = account.actor();
    let d = readable(&state, &actor, &id).await?;
    let result = async {
        motcua_app::dossiers::limits::check_room_for_files(&state.app, &d.id).await?;
        let (p, mut files) = read_form(&state, &user, mp).await?;
        if files.is_empty() {
            return Err(ApiError::invalid(
                "file",
                "file_required",
                "Hãy chọn tệp cần tải lên.",
                "Choose a file.",
            ));
        }
        let uploaded = files.remove(0);
        let component = df::component_named(
            &df::components(&state.app, &d).await,
            p.get("component").unwrap_or_default(),
        )?;
        motcua_app::dossiers::files::attach(
            &state.app,
            &actor,
            &d,
            Purpose::Component,
            Some(component),
            uploaded.file_ref(),
            crate::extract::version(&p),
        )
        .await
        .map_err(ApiError::from)
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "{}?ok=uploaded#tep-dinh-kem",
            page_for(&actor, &d)
        ))
        .into_response()),
        Err(e) => back_with(&state, &user, &actor, &id, e).await,
    }
}

async fn readable(state: &AppState, actor: &Actor, id: &str) -> Result<Dossier, ApiError> {
    Ok(motcua_app::dossiers::readable(&state.app, actor, id)
        .await?
        .state)
}

/// `POST /can-bo/ho-so/{id}/ket-qua`: completes with the result documents listed and,
/// if one is chosen, the result's file, in one commit.
pub async fn complete(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    mp: Multipart,
) -> Result<Response, ApiError> {
    let Some(account) = user.account() else {
        return Err(ApiError::unauthenticated());
    };
    let actor = account.actor();
    let d = readable(&state, &actor, &id).await?;
    let result = async {
        let (p, files) = read_form(&state, &user, mp).await?;
        let mut results = p.lines("results");
        let mut reqs = Vec::new();
        let mut rows = Vec::new();
        for f in &files {
            let file = f.file_ref();
            rows.push(df::new_file(
                &file,
                &d.id,
                Purpose::Result,
                None,
                &actor.account_id,
            ));
            reqs.push(Request::Other(Command::AttachResult { file }));
        }
        // A result given only as a file is named by its file.
        if results.is_empty() {
            results = rows.iter().map(|r| r.file.name.clone()).collect();
        }
        reqs.push(Request::Other(Command::Complete { results }));
        let target = Target::Stored {
            id: &d.id,
            expected_version: crate::extract::version(&p),
        };
        service::execute_all(&state.app, &actor, target, reqs, rows)
            .await
            .map_err(ApiError::from)
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/can-bo/ho-so/{id}?ok=completed")).into_response()),
        Err(e) => back_with(&state, &user, &actor, &id, e).await,
    }
}

#[cfg(test)]
mod tests {
    use super::{human_size, size_in};
    use crate::i18n::Lang;

    #[test]
    fn sizes_in_vietnamese() {
        assert_eq!(human_size(900), "900 byte");
        assert_eq!(human_size(2048), "2 KB");
        assert_eq!(human_size(1_572_864), "1,5 MB");
        assert_eq!(human_size(20 * 1024 * 1024), "20,0 MB");
    }

    #[test]
    fn sizes_in_english() {
        assert_eq!(size_in(Lang::En, 900), "900 bytes");
        assert_eq!(size_in(Lang::En, 1_572_864), "1.5 MB");
    }
}
