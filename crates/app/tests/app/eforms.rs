//! The e-form a dossier pins decides what its declaration is checked against on submit.

use crate::support::*;
use motcua_app::AppError;
use motcua_app::dossiers::{self, Request};
use motcua_domain::dossier::Status;
use motcua_domain::procedure::Channel;
use serde_json::json;

fn submit(form_data: serde_json::Value) -> Request {
    Request::Submit {
        channel: Channel::Online,
        on_behalf: false,
        form_data: Some(form_data),
    }
}

#[tokio::test]
async fn a_declaration_that_fails_its_form_is_refused_field_by_field() {
    let f = fixture().await;
    let d = f.draft(BIRTH).await;
    let mut form = birth_form();
    form.as_object_mut().unwrap().remove("child_full_name");
    let r = dossiers::execute(&f.app, &f.citizen, &d.id, None, submit(form)).await;
    let Err(AppError::FormInvalid(errors)) = r else {
        panic!("{:?}", r.err());
    };
    assert!(
        errors
            .iter()
            .any(|e| e.field == "form_data.child_full_name"),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .all(|e| e.message_vi.is_some() && !e.code.is_empty())
    );
    let stored = f.db.store.dossier(&d.id).await.unwrap();
    assert_eq!(
        (stored.state.status, stored.state.version),
        (Status::Draft, 1)
    );
}

#[tokio::test]
async fn a_form_published_later_does_not_change_what_an_open_draft_is_checked_against() {
    let f = fixture().await;
    // Business household registration: no built-in form.
    let code = "2.000815";
    let before = f.draft(code).await;
    assert_eq!(before.eform_version, None);

    let definition = r#"{"id": "to_khai_x", "title": "Tờ khai", "fields": [
        {"name": "ho_ten", "label": "Họ, chữ đệm, tên", "kind": "text", "required": true}]}"#;
    let p = procedure(code);
    let v =
        f.db.store
            .save_eform_draft(&p, definition, None)
            .await
            .unwrap();
    f.db.store
        .publish_eform_draft(&p, v, None)
        .await
        .unwrap()
        .unwrap();

    let after = f.draft(code).await;
    assert_eq!(after.eform_version, Some(v));
    let r = dossiers::execute(&f.app, &f.citizen, &after.id, None, submit(json!({}))).await;
    assert!(matches!(r, Err(AppError::FormInvalid(_))), "{:?}", r.err());
    let ok = submit(json!({"ho_ten": "Nguyễn Thị Hoa"}));
    dossiers::execute(&f.app, &f.citizen, &after.id, None, ok)
        .await
        .unwrap();
    // The draft started before the publication has no form to fail.
    let d = dossiers::execute(&f.app, &f.citizen, &before.id, None, submit(json!({})))
        .await
        .unwrap()
        .dossier;
    assert_eq!(d.status, Status::Submitted);
}
