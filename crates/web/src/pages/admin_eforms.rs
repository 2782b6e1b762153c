//! E-form definitions (biểu mẫu điện tử) of a procedure: the versions with the procedure
//! version each went with, the draft edited as JSON with a preview rendered exactly as the
//! citizen will see it (`forms_render`), and publication, which the domain's
//! `FormDefinition::check` refuses with every problem listed.

use super::admin::{Admin, Feedback, OkQuery, post_admin, when};
use super::admin_catalogue::{Proc, procedure_for};
use super::auth::{Nav, PageUser};
use super::forms_render::{Posted, SectionView, render_form};
use super::render;
use crate::AppState;
use crate::error::ApiError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
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
fn code_vi(c: C) -> &'static str {
    match c {
        C::InvalidJson => "Nội dung không phải JSON hợp lệ hoặc sai cấu trúc biểu mẫu",
        C::InvalidId => "Mã biểu mẫu (id) chỉ gồm a-z, 0-9, '_', '-', '.', tối đa 64 ký tự",
        C::EmptyLabel => "Nhãn đang để trống",
        C::LabelNotNfc => "Nhãn chưa ở dạng Unicode dựng sẵn (NFC)",
        C::LabelNotTrimmed => "Nhãn có khoảng trắng ở đầu hoặc cuối",
        C::InvalidName => "Tên trường (name) không hợp lệ: chữ thường a-z, số, dấu gạch dưới",
        C::DuplicateName => "Tên trường bị trùng",
        C::NoFields => "Biểu mẫu hoặc nhóm chưa có trường nào",
        C::NestedGroup => "Nhóm lặp không được nằm trong nhóm lặp khác",
        C::PropertyNotAllowed => "Thuộc tính không dùng được với loại trường này",
        C::NoChoices => "Trường lựa chọn chưa có phương án nào",
        C::InvalidChoiceValue => "Giá trị phương án lựa chọn không hợp lệ",
        C::DuplicateChoice => "Phương án lựa chọn bị trùng",
        C::InvalidPattern => "Mẫu kiểm tra (pattern) không hợp lệ",
        C::InvalidBound => "Giới hạn (min/max) không hợp lệ",
        C::MinGreaterThanMax => "Giới hạn dưới lớn hơn giới hạn trên",
        C::InvalidCondition => "Điều kiện hiển thị/bắt buộc không hợp lệ",
        C::UnknownFieldReference => "Điều kiện nhắc tới trường không tồn tại",
        C::ForwardReference => "Điều kiện nhắc tới trường đứng sau",
        C::ConditionCycle => "Các điều kiện phụ thuộc vòng tròn",
        C::ConditionValueMismatch => "Giá trị trong điều kiện không hợp với trường được nhắc tới",
        C::UnknownPrefillPath => "Nguồn điền sẵn (prefill) không tồn tại",
        C::PrefillKindMismatch => "Nguồn điền sẵn không hợp với loại trường",
        C::PrefillInGroup => "Trường trong nhóm lặp không điền sẵn được",
        C::UnknownSectionField => "Phần (section) nhắc tới trường không tồn tại",
        C::DuplicateSectionField => "Một trường nằm trong hai phần",
        C::FieldWithoutSection => "Có trường không nằm trong phần nào",
        C::UnknownComponent => "Thành phần hồ sơ (component) không có trong thủ tục",
    }
}

fn problems(errors: &[DefinitionError]) -> Vec<Problem> {
    errors
        .iter()
        .map(|e| Problem {
            at: if e.path.is_empty() {
                "Toàn biểu mẫu".into()
            } else {
                e.path.clone()
            },
            message: code_vi(e.code),
            detail: e.detail.clone(),
        })
        .collect()
}

/// The check's verdict on `text`, and the form to preview when it can be read at all.
fn examine(text: &str) -> (Vec<Problem>, Option<FormDefinition>) {
    match FormDefinition::from_json(text) {
        Err(e) => (problems(&[e]), None),
        Ok(def) => {
            let found = match def.check() {
                Ok(_) => Vec::new(),
                Err(errors) => problems(&errors),
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
    let versions = state.store.eform_versions(&p.code).await?;
    let draft = versions
        .iter()
        .find(|v| v.status == VersionStatus::Draft)
        .map(|v| v.version);
    let published = versions
        .iter()
        .rev()
        .find(|v| v.status == VersionStatus::Published);
    let built_in = builtin(p.code.as_str());
    let in_force = match (published, &built_in) {
        (Some(v), _) => format!("Phiên bản {} do tỉnh công bố.", v.version),
        (None, Some(_)) => "Biểu mẫu có sẵn của hệ thống (theo Thông tư 04/2020/TT-BTP).".into(),
        (None, None) => "Chưa có biểu mẫu điện tử: người dân ghi chú tự do khi nộp.".into(),
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
    let (found, def) = examine(&text);
    let (title, sections) = match &def {
        Some(d) => (
            d.title.clone(),
            render_form(d, &serde_json::json!({}), &[]).0,
        ),
        None => (String::new(), Vec::new()),
    };
    let page = EformPage {
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
    let fb = Feedback::from_query(q.ok.as_deref());
    page(&state, a, p, fb, None, None, StatusCode::OK).await
}

/// "Xem trước" renders the posted text without saving; "Lưu bản nháp" saves it.
pub async fn save(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let posted = Posted(f);
    let a = post_admin(&state, &user, &posted).await?;
    let p = procedure_for(&state, &a, &code).await?;
    if !p.can_edit {
        return Err(ApiError::forbidden());
    }
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
            format!(
                "Biểu mẫu quá dài (tối đa {} KB).",
                MAX_DEFINITION_BYTES / 1024
            ),
            Vec::new(),
        );
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return page(&state, a, p, fb, Some(text), None, status).await;
    }
    state
        .store
        .save_eform_draft(&p.code, &text, Some(&a.account.id))
        .await?;
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
    let posted = Posted(f);
    let a = post_admin(&state, &user, &posted).await?;
    let p = procedure_for(&state, &a, &code).await?;
    if !p.can_publish {
        return Err(ApiError::forbidden());
    }
    let result = state
        .store
        .publish_eform_draft(&p.code, version, Some(&a.account.id))
        .await;
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
                format!(
                    "Không công bố phiên bản {version}: biểu mẫu có {} lỗi, liệt kê bên dưới.",
                    errors.len()
                ),
                Vec::new(),
            ),
            Some(problems(&errors)),
        ),
        Err(StoreError::Conflict(_)) => (
            Feedback::error(
                format!("Phiên bản {version} đã được công bố trước đó."),
                Vec::new(),
            ),
            None,
        ),
        Err(StoreError::NotFound) => return Err(ApiError::not_found("phiên bản", "Version")),
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
