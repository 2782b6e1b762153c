//! E-form definitions (biểu mẫu điện tử) of a procedure: the versions with the procedure
//! version each went with, the draft edited as JSON with a preview rendered exactly as the
//! citizen will see it (`forms_render`), and publication, which the domain's
//! `FormDefinition::check` refuses with every problem listed.

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::pages::Form;
use crate::pages::admin::catalogue::{Proc, posted_for, procedure_for};
use crate::pages::admin::{Admin, Feedback, OkQuery, when};
use crate::pages::render;
use crate::pages::shared::auth::{Nav, PageUser};
use crate::pages::shared::forms_render::{SectionView, render_form};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::AppError;
use motcua_domain::eform::{DefinitionError, DefinitionErrorCode as C, FormDefinition, builtin};
use motcua_domain::procedure::VersionStatus;
use motcua_store::StoreError;
use motcua_store::admin_eforms::MAX_DEFINITION_BYTES;

pub struct Problem {
    at: String,
    message: &'static str,
    detail: String,
}

pub struct VersionRow {
    version: i64,
    draft: bool,
    procedure_version: String,
    created: String,
    published: String,
}

#[derive(Template)]
#[template(path = "admin_eform.html")]
struct EformPage {
    user: Option<Nav>,
    csrf: String,
    lang: Lang,
    fb: Feedback,
    code: String,
    name: String,
    in_force: String,
    versions: Vec<VersionRow>,
    draft: Option<i64>,
    can_edit: bool,
    can_publish: bool,
    text: String,
    problems: Vec<Problem>,
    title: String,
    sections: Vec<SectionView>,
}

/// What each refusal of the domain's check means, for the officer who writes definitions.
fn code_message(lang: Lang, c: C) -> &'static str {
    match c {
        C::InvalidJson => lang.t("admin.eform.error.invalid_json"),
        C::InvalidId => lang.t("admin.eform.error.invalid_id"),
        C::EmptyLabel => lang.t("admin.eform.error.empty_label"),
        C::LabelNotNfc => lang.t("admin.eform.error.label_not_nfc"),
        C::LabelNotTrimmed => lang.t("admin.eform.error.label_not_trimmed"),
        C::InvalidName => lang.t("admin.eform.error.invalid_name"),
        C::DuplicateName => lang.t("admin.eform.error.duplicate_name"),
        C::NoFields => lang.t("admin.eform.error.no_fields"),
        C::NestedGroup => lang.t("admin.eform.error.nested_group"),
        C::PropertyNotAllowed => lang.t("admin.eform.error.property_not_allowed"),
        C::NoChoices => lang.t("admin.eform.error.no_choices"),
        C::InvalidChoiceValue => lang.t("admin.eform.error.invalid_choice_value"),
        C::DuplicateChoice => lang.t("admin.eform.error.duplicate_choice"),
        C::InvalidPattern => lang.t("admin.eform.error.invalid_pattern"),
        C::InvalidBound => lang.t("admin.eform.error.invalid_bound"),
        C::MinGreaterThanMax => lang.t("admin.eform.error.min_greater_than_max"),
        C::InvalidCondition => lang.t("admin.eform.error.invalid_condition"),
        C::UnknownFieldReference => lang.t("admin.eform.error.unknown_field_reference"),
        C::ForwardReference => lang.t("admin.eform.error.forward_reference"),
        C::ConditionCycle => lang.t("admin.eform.error.condition_cycle"),
        C::ConditionValueMismatch => lang.t("admin.eform.error.condition_value_mismatch"),
        C::UnknownPrefillPath => lang.t("admin.eform.error.unknown_prefill_path"),
        C::PrefillKindMismatch => lang.t("admin.eform.error.prefill_kind_mismatch"),
        C::PrefillInGroup => lang.t("admin.eform.error.prefill_in_group"),
        C::UnknownSectionField => lang.t("admin.eform.error.unknown_section_field"),
        C::DuplicateSectionField => lang.t("admin.eform.error.duplicate_section_field"),
        C::FieldWithoutSection => lang.t("admin.eform.error.field_without_section"),
        C::UnknownComponent => lang.t("admin.eform.error.unknown_component"),
    }
}

fn problems(lang: Lang, errors: &[DefinitionError]) -> Vec<Problem> {
    errors
        .iter()
        .map(|e| Problem {
            at: if e.path.is_empty() {
                lang.t("admin.eform.whole_form").into()
            } else {
                e.path.clone()
            },
            message: code_message(lang, e.code),
            detail: e.detail.clone(),
        })
        .collect()
}

/// The check's verdict on `text`, and the form to preview when it can be read at all.
/// `components` are the published procedure's, which publication checks the form's
/// `component` against; the page says so before anyone presses "publish".
fn examine(
    lang: Lang,
    text: &str,
    components: Option<&[String]>,
) -> (Vec<Problem>, Option<FormDefinition>) {
    match FormDefinition::from_json(text) {
        Err(e) => (problems(lang, &[e]), None),
        Ok(def) => {
            let found = match def.check() {
                Ok(form) => match components {
                    Some(names) => match form.check_component(names.iter().map(String::as_str)) {
                        Ok(()) => Vec::new(),
                        Err(e) => problems(lang, &[e]),
                    },
                    None => Vec::new(),
                },
                Err(errors) => problems(lang, &errors),
            };
            (found, Some(def))
        }
    }
}

fn pretty(def: &FormDefinition) -> String {
    serde_json::to_string_pretty(def).unwrap_or_default()
}

/// A skeleton for a procedure without any form yet.
fn skeleton(p: &Proc) -> String {
    let id = format!("to_khai_{}", p.code.as_str().replace('.', "_"));
    format!(
        "{{\n  \"id\": \"{id}\",\n  \"title\": \"Tờ khai\",\n  \"fields\": [\n    {{\"name\": \"ho_ten\", \"label\": \"Họ, chữ đệm, tên\", \"kind\": \"text\", \"required\": true}}\n  ]\n}}\n"
    )
}

async fn page(
    state: &AppState,
    a: Admin,
    p: Proc,
    fb: Feedback,
    text: Option<String>,
    refused: Option<Vec<Problem>>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let versions = state.app.store.eform_versions(&p.code).await?;
    let draft = versions
        .iter()
        .find(|v| v.status == VersionStatus::Draft)
        .map(|v| v.version);
    let published = versions
        .iter()
        .rev()
        .find(|v| v.status == VersionStatus::Published);
    let lang = a.lang;
    let built_in = builtin(p.code.as_str());
    let in_force = match (published, &built_in) {
        (Some(v), _) => lang.f("admin.eform.in_force_province", v.version),
        (None, Some(_)) => lang.t("admin.eform.in_force_builtin").into(),
        (None, None) => lang.t("admin.eform.in_force_none").into(),
    };
    // The editor starts from the open draft, else the latest version, else the built-in
    // form, else a skeleton.
    let text = text.unwrap_or_else(|| match versions.last() {
        Some(v) => v.definition.clone(),
        None => built_in
            .as_ref()
            .map(|f| pretty(f.definition()))
            .unwrap_or_else(|| skeleton(&p)),
    });
    let components = match state.app.store.procedure(&p.code).await {
        Ok(published) => Some(
            published
                .procedure
                .components
                .iter()
                .map(|c| c.name().to_owned())
                .collect::<Vec<_>>(),
        ),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let (found, def) = examine(lang, &text, components.as_deref());
    let (title, sections) = match &def {
        Some(d) => (
            d.title.clone(),
            render_form(d, &serde_json::json!({}), &[]).0,
        ),
        None => (String::new(), Vec::new()),
    };
    let page = EformPage {
        lang,
        fb,
        code: p.code.to_string(),
        name: p.name.clone(),
        in_force,
        versions: versions
            .iter()
            .rev()
            .map(|v| VersionRow {
                version: v.version,
                draft: v.status == VersionStatus::Draft,
                procedure_version: v
                    .procedure_version
                    .map(|x| x.to_string())
                    .unwrap_or_else(|| "–".into()),
                created: when(v.created_at),
                published: v.published_at.map(when).unwrap_or_default(),
            })
            .collect(),
        draft,
        can_edit: p.can_edit,
        can_publish: p.can_publish,
        text,
        problems: refused.unwrap_or(found),
        title,
        sections,
        user: a.nav,
        csrf: a.csrf,
    };
    Ok(render(&page, status))
}

pub async fn show(
    State(state): State<AppState>,
    a: Admin,
    Path(code): Path<String>,
    Query(q): Query<OkQuery>,
) -> Result<Response, ApiError> {
    let p = procedure_for(&state, &a, &code).await?;
    let fb = Feedback::from_query(a.lang, q.ok.as_deref());
    page(&state, a, p, fb, None, None, StatusCode::OK).await
}

/// "Xem trước" renders the posted text without saving; "Lưu bản nháp" saves it.
pub async fn save(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (a, p, posted) = posted_for(&state, &user, &code, f, |p| p.can_edit).await?;
    let text = posted.get("definition").unwrap_or_default().to_owned();
    if posted.get("action") == Some("preview") {
        return page(
            &state,
            a,
            p,
            Feedback::default(),
            Some(text),
            None,
            StatusCode::OK,
        )
        .await;
    }
    if text.len() > MAX_DEFINITION_BYTES {
        let fb = Feedback::error(
            a.lang
                .f("admin.eform.too_long", MAX_DEFINITION_BYTES / 1024),
            Vec::new(),
        );
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return page(&state, a, p, fb, Some(text), None, status).await;
    }
    motcua_app::procedures::save_eform(&state.app, &a.actor, &p.code, &text).await?;
    Ok(Redirect::to(&format!(
        "/quan-tri/thu-tuc/{}/bieu-mau?ok=eform_saved",
        p.code
    ))
    .into_response())
}

pub async fn publish(
    State(state): State<AppState>,
    user: PageUser,
    Path((code, version)): Path<(String, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (a, p, _) = posted_for(&state, &user, &code, f, |p| p.can_publish).await?;
    let result =
        motcua_app::procedures::publish_eform(&state.app, &a.actor, &p.code, version).await;
    let (fb, refused) = match result {
        Ok(Ok(())) => {
            return Ok(Redirect::to(&format!(
                "/quan-tri/thu-tuc/{}/bieu-mau?ok=eform_published",
                p.code
            ))
            .into_response());
        }
        Ok(Err(errors)) => (
            Feedback::error(
                a.lang
                    .f2("admin.eform.not_published", version, errors.len()),
                Vec::new(),
            ),
            Some(problems(a.lang, &errors)),
        ),
        Err(AppError::VersionAlreadyPublished) => (
            Feedback::error(
                a.lang.f("admin.eform.already_published", version),
                Vec::new(),
            ),
            None,
        ),
        Err(e) => return Err(e.into()),
    };
    page(
        &state,
        a,
        p,
        fb,
        None,
        refused,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}
