//! Catalogue administration: the procedures of the administrator's units, the versions of
//! one procedure with what changed between two of them, a new draft from the published
//! version, and publication. Drafts and publication go through the same store functions
//! and domain checks as the API (`api/procedures.rs`).

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::pages::Form;
use crate::pages::admin::catalogue_diff::{DiffRow, diff};
use crate::pages::admin::catalogue_form::DraftFields;
use crate::pages::admin::{Admin, AuditLine, Feedback, audit_lines, post_admin, when};
use crate::pages::render;
use crate::pages::shared::auth::{Nav, PageUser};
use crate::pages::shared::forms_render::{ErrorLink, Posted};
use crate::params::parse_code;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::procedure::{Procedure, VersionStatus};
use motcua_domain::{ProcedureCode, UnitCode};
use motcua_store::procedures::VersionInfo;
use serde::Deserialize;

/// How many procedures the list shows; the search narrows it.
const LIST_LIMIT: usize = 200;

/// A procedure as an administration page needs it: where it stands and what this
/// administrator may do with it.
pub struct Proc {
    pub code: ProcedureCode,
    pub name: String,
    pub units: Vec<UnitCode>,
    pub versions: Vec<VersionInfo>,
    /// The version a new draft starts from: the open draft, else the latest.
    pub latest: Procedure,
    pub latest_version: i64,
    pub draft: Option<i64>,
    pub published: Option<i64>,
    pub can_edit: bool,
    pub can_publish: bool,
    /// Its process: a unit administrator reaching every competent unit may publish it.
    pub can_publish_process: bool,
}

/// Loads a procedure and answers 403 unless one of its units is the administrator's.
/// A form posted to one of a procedure's administration pages: the administrator (form
/// token checked), the procedure, and the posted fields — refused unless `may` allows it.
pub async fn posted_for(
    state: &AppState,
    user: &PageUser,
    code: &str,
    fields: Vec<(String, String)>,
    may: fn(&Proc) -> bool,
) -> Result<(Admin, Proc, Posted), ApiError> {
    let posted = Posted(fields);
    let a = post_admin(state, user, &posted).await?;
    let p = procedure_for(state, &a, code).await?;
    if !may(&p) {
        return Err(ApiError::forbidden());
    }
    Ok((a, p, posted))
}

/// The procedure as `app::procedures::administered` gives it to this administrator.
pub async fn procedure_for(state: &AppState, a: &Admin, code: &str) -> Result<Proc, ApiError> {
    let code = parse_code(code).map_err(|_| ApiError::not_found("thủ tục", "Procedure"))?;
    let (p, _) =
        motcua_app::procedures::administered(&state.app, &a.actor, &code, &a.catalogue_units())
            .await
            .map_err(|e| match e {
                motcua_app::AppError::NotFound(_) => ApiError::not_found("thủ tục", "Procedure"),
                other => other.into(),
            })?;
    Ok(Proc {
        name: p.latest.name.clone(),
        draft: p.draft(),
        latest_version: p.latest_version(),
        code: p.code,
        units: p.units,
        versions: p.versions,
        latest: p.latest,
        published: p.published,
        can_edit: p.can_edit,
        can_publish: p.can_publish,
        can_publish_process: p.can_publish_process,
    })
}

pub struct ListRow {
    code: String,
    name: String,
    latest: i64,
    draft: bool,
    published: Option<i64>,
}

#[derive(Template)]
#[template(path = "admin_catalogue.html")]
struct ListPage {
    user: Option<Nav>,
    csrf: String,
    lang: Lang,
    q: String,
    rows: Vec<ListRow>,
    limited: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    a: Admin,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let units = a.catalogue_units();
    if units.is_empty() {
        return Err(ApiError::forbidden());
    }
    let text = q.q.unwrap_or_default();
    let rows = state
        .app
        .store
        .catalogue_rows(a.filter(&units), Some(&text), LIST_LIMIT)
        .await?;
    let page = ListPage {
        lang: a.lang,
        limited: rows.len() >= LIST_LIMIT,
        rows: rows
            .into_iter()
            .map(|r| ListRow {
                draft: r.latest_status == VersionStatus::Draft,
                code: r.code,
                name: r.name,
                latest: r.latest_version,
                published: r.published_version,
            })
            .collect(),
        q: text,
        user: a.nav,
        csrf: a.csrf,
    };
    Ok(render(&page, StatusCode::OK))
}

pub struct VersionRow {
    version: i64,
    draft: bool,
    created: String,
    created_by: String,
    published: String,
}

#[derive(Template)]
#[template(path = "admin_procedure.html")]
struct ShowPage {
    user: Option<Nav>,
    csrf: String,
    lang: Lang,
    fb: Feedback,
    code: String,
    name: String,
    units: Vec<String>,
    versions: Vec<VersionRow>,
    draft: Option<i64>,
    published: Option<i64>,
    can_edit: bool,
    can_publish: bool,
    a: i64,
    b: i64,
    changes: Vec<DiffRow>,
    audit: Vec<AuditLine>,
}

#[derive(Deserialize)]
pub struct ShowQuery {
    ok: Option<String>,
    a: Option<i64>,
    b: Option<i64>,
}

async fn username(state: &AppState, lang: Lang, id: Option<&str>) -> String {
    match id {
        Some(id) => state
            .app
            .store
            .account(id)
            .await
            .map_or_else(|_| id.to_owned(), |a| a.username),
        None => lang.t("admin.system").to_owned(),
    }
}

async fn show_page(
    state: &AppState,
    a: Admin,
    p: Proc,
    pair: (Option<i64>, Option<i64>),
    fb: Feedback,
    status: StatusCode,
) -> Result<Response, ApiError> {
    // By default: what the open draft changes against the published version, or what the
    // latest version changed against the one before.
    let b = pair.1.unwrap_or(p.latest_version);
    let a_default = match (p.draft, p.published) {
        (Some(_), Some(pv)) => pv,
        _ => b - 1,
    };
    let av = pair.0.unwrap_or(a_default);
    let changes = if av >= 1 && av != b {
        match (
            state.app.store.procedure_version(&p.code, av).await,
            state.app.store.procedure_version(&p.code, b).await,
        ) {
            (Ok(x), Ok(y)) => diff(a.lang, &x, &y),
            _ => Vec::new(),
        }
    } else {
        Vec::new()
    };
    let mut versions = Vec::new();
    for v in p.versions.iter().rev() {
        versions.push(VersionRow {
            version: v.version,
            draft: v.status == VersionStatus::Draft,
            created: when(v.created_at),
            created_by: username(state, a.lang, v.created_by.as_deref()).await,
            published: match v.published_at {
                Some(t) => format!(
                    "{} ({})",
                    when(t),
                    username(state, a.lang, v.published_by.as_deref()).await
                ),
                None => String::new(),
            },
        });
    }
    let page = ShowPage {
        lang: a.lang,
        fb,
        code: p.code.to_string(),
        name: p.name.clone(),
        units: p.units.iter().map(|u| a.unit_name(u)).collect(),
        versions,
        draft: p.draft,
        published: p.published,
        can_edit: p.can_edit,
        can_publish: p.can_publish,
        a: av,
        b,
        changes,
        audit: audit_lines(state, a.lang, p.code.as_str()).await?,
        user: a.nav,
        csrf: a.csrf,
    };
    Ok(render(&page, status))
}

pub async fn show(
    State(state): State<AppState>,
    a: Admin,
    Path(code): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, ApiError> {
    let p = procedure_for(&state, &a, &code).await?;
    let fb = Feedback::from_query(a.lang, q.ok.as_deref());
    show_page(&state, a, p, (q.a, q.b), fb, StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "admin_procedure_edit.html")]
struct EditPage {
    user: Option<Nav>,
    csrf: String,
    lang: Lang,
    code: String,
    title: String,
    base_version: i64,
    base_draft: bool,
    f: DraftFields,
    errors: Vec<ErrorLink>,
}

fn edit_page(a: Admin, p: &Proc, f: DraftFields, errors: Vec<ErrorLink>) -> EditPage {
    EditPage {
        lang: a.lang,
        code: p.code.to_string(),
        title: p.name.clone(),
        base_version: p.latest_version,
        base_draft: p.draft.is_some(),
        f,
        errors,
        user: a.nav,
        csrf: a.csrf,
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    a: Admin,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let p = procedure_for(&state, &a, &code).await?;
    if !p.can_edit {
        return Err(ApiError::forbidden());
    }
    let f = DraftFields::of(a.lang, &p.latest);
    Ok(render(&edit_page(a, &p, f, Vec::new()), StatusCode::OK))
}

pub async fn save(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (a, p, posted) = posted_for(&state, &user, &code, f, |p| p.can_edit).await?;
    // The form was filled against one version; saving over a newer one would lose work.
    if posted.get("base_version").and_then(|v| v.parse().ok()) != Some(p.latest_version) {
        let f = DraftFields::posted(a.lang, &posted);
        let e = vec![ErrorLink {
            id: "f-name".into(),
            message: a.lang.t("admin.edit.newer_version").into(),
        }];
        return Ok(render(&edit_page(a, &p, f, e), StatusCode::CONFLICT));
    }
    let fields = DraftFields::posted(a.lang, &posted);
    let draft = match fields.apply(a.lang, p.latest.clone()) {
        Ok(d) => d,
        Err(errors) => {
            return Ok(render(
                &edit_page(a, &p, fields, errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    let errors: Vec<ErrorLink> =
        match motcua_app::catalogue::save_draft(&state.app, &a.actor, draft).await {
            Ok(_) => Vec::new(),
            Err(motcua_app::AppError::UnknownUnits(units)) => units
                .iter()
                .map(|u| ErrorLink {
                    id: "f-units".into(),
                    message: a.lang.f("admin.edit.unknown_unit", u),
                })
                .collect(),
            Err(motcua_app::AppError::Forbidden) => vec![ErrorLink {
                id: "f-units".into(),
                message: a.lang.t("admin.edit.units_out_of_scope").into(),
            }],
            Err(e) => return Err(e.into()),
        };
    if !errors.is_empty() {
        return Ok(render(
            &edit_page(a, &p, fields, errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    Ok(Redirect::to(&format!("/quan-tri/thu-tuc/{}?ok=draft_saved", p.code)).into_response())
}

pub async fn publish(
    State(state): State<AppState>,
    user: PageUser,
    Path((code, version)): Path<(String, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let posted = Posted(f);
    let a = post_admin(&state, &user, &posted).await?;
    let p = procedure_for(&state, &a, &code).await?;
    match motcua_app::catalogue::publish(&state.app, &a.actor, &p.code, version).await {
        Ok(()) => {}
        Err(motcua_app::AppError::VersionAlreadyPublished) => {
            let fb = Feedback::error(
                a.lang.f("admin.procedure.already_published", version),
                Vec::new(),
            );
            let p = procedure_for(&state, &a, &code).await?;
            return show_page(&state, a, p, (None, None), fb, StatusCode::CONFLICT).await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/quan-tri/thu-tuc/{}?ok=published", p.code)).into_response())
}
