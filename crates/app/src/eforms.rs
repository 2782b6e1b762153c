//! Which e-form (biểu mẫu điện tử) a dossier uses, and the parsed definitions kept in memory.
//!
//! A dossier pins, when it is created, the version of its procedure's e-form published at
//! that moment (`eform_version` of the `created` event); without a published version it
//! follows the built-in form of the procedure, if there is one. Everything that reads the
//! declaration afterwards (validation on submit and supplement, the draft page, the labelled
//! read-back, the API) asks here for the pinned definition, so a new version never changes
//! what an open dossier is checked against.
//!
//! A published version is never edited again, so a definition parsed once stays right for
//! the life of the process: the cache only grows, by the versions actually used.

use crate::AppError;
use motcua_domain::ProcedureCode;
use motcua_domain::dossier::Dossier;
use motcua_domain::eform::{CheckedForm, Profile, builtin};
use motcua_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// `None` stands for the built-in form of the procedure.
type Key = (ProcedureCode, Option<i64>);

/// The e-form a new dossier pins: the published version, or `None` for the built-in form.
#[derive(Clone)]
pub struct InForce {
    pub version: Option<i64>,
    pub form: Option<Arc<CheckedForm>>,
}

/// Parsed definitions by procedure and version, filled on demand.
#[derive(Default)]
pub struct Forms {
    parsed: Mutex<HashMap<Key, Option<Arc<CheckedForm>>>>,
}

impl Forms {
    fn cached(&self, key: &Key) -> Option<Option<Arc<CheckedForm>>> {
        // A panic while holding the lock cannot leave the map half-written (one insert),
        // so a poisoned lock is still sound to use.
        self.parsed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    fn keep(&self, key: Key, form: Option<Arc<CheckedForm>>) {
        self.parsed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, form);
    }

    /// A published version of a procedure's e-form; `None` when there is no such version.
    /// One that no longer passes the check is an internal error: it passed at publication.
    pub async fn published(
        &self,
        store: &Store,
        procedure: &ProcedureCode,
        version: i64,
    ) -> Result<Option<Arc<CheckedForm>>, AppError> {
        let key = (procedure.clone(), Some(version));
        if let Some(hit) = self.cached(&key) {
            return Ok(hit);
        }
        // Not remembered when missing: the version may be published a moment later.
        let Some(text) = store.published_eform_text(procedure, version).await? else {
            return Ok(None);
        };
        let form = match CheckedForm::from_json(&text) {
            Ok(form) => Arc::new(form),
            Err(errors) => {
                tracing::error!(%procedure, version, ?errors, "published e-form fails the check");
                return Err(AppError::Internal(format!(
                    "published e-form {procedure} v{version} fails the check"
                )));
            }
        };
        self.keep(key, Some(form.clone()));
        Ok(Some(form))
    }

    /// The definition of `version` (`None`: the built-in one), or `None` where the procedure
    /// has no built-in form. A published version that is missing is an internal error:
    /// dossiers rely on it, and guessing another form would be worse.
    pub async fn version(
        &self,
        store: &Store,
        procedure: &ProcedureCode,
        version: Option<i64>,
    ) -> Result<Option<Arc<CheckedForm>>, AppError> {
        let Some(v) = version else {
            let key = (procedure.clone(), None);
            if let Some(hit) = self.cached(&key) {
                return Ok(hit);
            }
            let form = builtin(procedure.as_str()).map(Arc::new);
            self.keep(key, form.clone());
            return Ok(form);
        };
        match self.published(store, procedure, v).await? {
            Some(form) => Ok(Some(form)),
            None => {
                tracing::error!(%procedure, version = v, "pinned e-form version not found");
                Err(AppError::Internal(format!(
                    "pinned e-form {procedure} v{v} not found"
                )))
            }
        }
    }

    /// The e-form a dossier created now would pin.
    pub async fn in_force(
        &self,
        store: &Store,
        procedure: &ProcedureCode,
    ) -> Result<InForce, AppError> {
        let version = store.published_eform_number(procedure).await?;
        let form = self.version(store, procedure, version).await?;
        Ok(InForce { version, form })
    }

    /// The e-form `d` pinned when it was created.
    pub async fn pinned(
        &self,
        store: &Store,
        d: &Dossier,
    ) -> Result<Option<Arc<CheckedForm>>, AppError> {
        self.version(store, &d.procedure, d.eform_version).await
    }
}

/// What the system knows of an applicant for prefilling: the account's name. A desk
/// applicant without an account (or an account gone) gets no profile and no prefill.
pub async fn profile(store: &Store, applicant: &str) -> Option<Profile> {
    let account = store.account(applicant).await.ok()?;
    Some(Profile {
        full_name: account.display_name,
        ..Profile::default()
    })
}

/// A new draft's data with the blanks the form takes from the profile filled in; what the
/// caller gave is kept as it is.
pub async fn prefilled(
    store: &Store,
    applicant: &str,
    form: Option<&CheckedForm>,
    given: &serde_json::Value,
) -> serde_json::Value {
    match (form, profile(store, applicant).await) {
        (Some(form), Some(profile)) => form.prefill_into(&profile, given),
        _ => given.clone(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use motcua_store::testing::TestDb;

    const FORM: &str = r#"{"id": "to_khai_x", "title": "Tờ khai", "fields": [
        {"name": "ho_ten", "label": "Họ, chữ đệm, tên", "kind": "text", "required": true, "prefill": "profile.full_name"}]}"#;

    #[tokio::test]
    async fn published_versions_are_parsed_once_and_missing_ones_are_not_remembered() {
        let db = TestDb::new().await.unwrap();
        let store = &db.store;
        let forms = Forms::default();
        let code = ProcedureCode::parse("2.000815").unwrap();
        // No published version, no built-in form.
        let none = forms.in_force(store, &code).await.unwrap();
        assert!(none.version.is_none() && none.form.is_none());
        assert!(forms.published(store, &code, 1).await.unwrap().is_none());
        // A pinned version that cannot be found is not silently replaced by another form.
        assert!(matches!(
            forms.version(store, &code, Some(1)).await,
            Err(AppError::Internal(_))
        ));

        let v = store.save_eform_draft(&code, FORM, None).await.unwrap();
        store
            .publish_eform_draft(&code, v, None)
            .await
            .unwrap()
            .unwrap();
        let now = forms.in_force(store, &code).await.unwrap();
        assert_eq!(now.version, Some(1));
        let again = forms.published(store, &code, 1).await.unwrap().unwrap();
        assert!(Arc::ptr_eq(&now.form.unwrap(), &again), "parsed once");

        // The built-in form stands for the version `None`.
        let birth = ProcedureCode::parse("1.001193").unwrap();
        let built_in = forms.version(store, &birth, None).await.unwrap().unwrap();
        assert_eq!(built_in.id(), "to_khai_khai_sinh");
    }

    #[tokio::test]
    async fn prefill_takes_the_account_name_and_keeps_what_was_given() {
        let db = TestDb::new().await.unwrap();
        let store = &db.store;
        let id = store
            .create_account("hoa", "Nguyễn Thị Hoa", "mat-khau-dai-du", &[], None)
            .await
            .unwrap()
            .id;
        let form = CheckedForm::from_json(FORM).unwrap();
        let empty = serde_json::json!({});
        assert_eq!(
            prefilled(store, &id, Some(&form), &empty).await,
            serde_json::json!({"ho_ten": "Nguyễn Thị Hoa"})
        );
        let given = serde_json::json!({"ho_ten": "Trần Văn Bình"});
        assert_eq!(prefilled(store, &id, Some(&form), &given).await, given);
        // No form, or no account (a walk-in applicant): nothing added.
        assert_eq!(prefilled(store, &id, None, &empty).await, empty);
        assert_eq!(
            prefilled(store, "no-such-account", Some(&form), &empty).await,
            empty
        );
    }
}
