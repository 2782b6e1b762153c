//! An [`App`] on a fresh database (SQLite, or PostgreSQL when `MOTCUA_TEST_DATABASE_URL`
//! says so) with the Huế demo catalogue, the shipped calendar and the accounts the web tests
//! use: an applicant, a reception officer, a specialist and a leader of the commune
//! `000.01.99.H57`, an operator and an administrator of the whole province.

use chrono::{DateTime, NaiveDate, Utc};
use motcua_app::dossiers::{self, NewDraft, Request};
use motcua_app::{App, Settings};
use motcua_domain::access::{Actor, Grant, Role};
use motcua_domain::dossier::Dossier;
use motcua_domain::procedure::{ApplicantKind, Channel};
use motcua_domain::{ProcedureCode, UnitCode};
use motcua_index::compute::Period;
use motcua_index::definition::Definition;
use motcua_index::{BundleText, compute_bundle};
use motcua_store::files::FileStore;
use motcua_store::testing::TestDb;
use serde_json::{Value, json};

pub const PASSWORD: &str = "mat-khau-thu-nghiem";
pub const COMMUNE: &str = "000.01.99.H57";
pub const PROVINCE: &str = "000.00.00.H57";
/// Birth registration: one working day, a built-in e-form.
pub const BIRTH: &str = "1.001193";
/// Re-registration of a marriage: five working days, no e-form.
pub const MARRIAGE: &str = "1.004746";

pub struct Fixture {
    pub app: App,
    pub db: TestDb,
    pub citizen: Actor,
    pub desk: Actor,
    pub specialist: Actor,
    pub leader: Actor,
    /// Operator of every unit (edits the calendar, the catalogue, the units).
    pub operator: Actor,
    /// Unit administrator of the province and its sub-units.
    pub admin: Actor,
    /// Unit administrator of the commune only.
    pub commune_admin: Actor,
}

pub fn unit(s: &str) -> UnitCode {
    UnitCode::parse(s).unwrap()
}

pub fn procedure(s: &str) -> ProcedureCode {
    ProcedureCode::parse(s).unwrap()
}

/// An account holding `role` in `unit` (and below it with `sub`), as the actor it acts as.
pub async fn account(db: &TestDb, name: &str, role: Role, at: &str, sub: bool) -> Actor {
    let g = Grant {
        role,
        unit: unit(at),
        with_sub_units: sub,
    };
    db.store
        .create_account(name, name, PASSWORD, &[g], None)
        .await
        .unwrap()
        .actor()
}

pub async fn fixture() -> Fixture {
    fixture_with(Settings::default()).await
}

pub async fn fixture_with(settings: Settings) -> Fixture {
    let db = TestDb::new().await.expect("test database");
    db.import_demo_catalogue().await.unwrap();
    db.store.seed_calendar().await.unwrap();
    // One after the other: SQLite takes one writer at a time.
    let citizen = account(&db, "congdan", Role::Applicant, COMMUNE, false).await;
    let desk = account(&db, "tiepnhan", Role::ReceptionOfficer, COMMUNE, false).await;
    let specialist = account(&db, "chuyenvien", Role::Specialist, COMMUNE, false).await;
    let leader = account(&db, "lanhdao", Role::Leader, COMMUNE, false).await;
    let operator = account(&db, "vanhanh", Role::Operator, PROVINCE, true).await;
    let admin = account(&db, "quantri", Role::UnitAdmin, PROVINCE, true).await;
    let commune_admin = account(&db, "quantri.phuong", Role::UnitAdmin, COMMUNE, false).await;
    let files = FileStore::in_memory(10 * 1024 * 1024);
    let app = App::load(db.store.clone(), files, settings).await.unwrap();
    Fixture {
        app,
        db,
        citizen,
        desk,
        specialist,
        leader,
        operator,
        admin,
        commune_admin,
    }
}

/// A complete birth declaration as the built-in e-form expects it.
pub fn birth_form() -> Value {
    serde_json::from_str(motcua_domain::eform::builtin_example(BIRTH).unwrap()).unwrap()
}

/// The form data a procedure's dossier is valid with (its e-form's example, or nothing).
pub fn form_for(code: &str) -> Value {
    motcua_domain::eform::builtin_example(code)
        .map(|t| serde_json::from_str(t).unwrap())
        .unwrap_or_else(|| json!({}))
}

impl Fixture {
    /// A draft of `code` the citizen starts at the commune.
    pub async fn draft(&self, code: &str) -> Dossier {
        let p = procedure(code);
        let u = unit(COMMUNE);
        let data = json!({});
        let (d, again) = dossiers::create(
            &self.app,
            &self.citizen,
            NewDraft {
                applicant: &self.citizen.account_id,
                procedure: &p,
                unit: &u,
                applicant_kind: ApplicantKind::Citizen,
                form_data: &data,
                idempotency_key: None,
            },
        )
        .await
        .unwrap();
        assert!(!again);
        d
    }

    /// A dossier of `code` submitted online by the citizen.
    pub async fn submitted(&self, code: &str) -> Dossier {
        let d = self.draft(code).await;
        let submit = Request::Submit {
            channel: Channel::Online,
            on_behalf: false,
            form_data: Some(form_for(code)),
        };
        dossiers::execute(&self.app, &self.citizen, &d.id, Some(d.version), submit)
            .await
            .unwrap()
            .dossier
    }

    /// A dossier of `code` submitted online and received at the commune's desk with the
    /// procedure's own time limit.
    pub async fn received(&self, code: &str) -> Dossier {
        let d = self.submitted(code).await;
        let receive = Request::Receive {
            desk: unit(COMMUNE),
            due_at: None,
        };
        dossiers::execute(&self.app, &self.desk, &d.id, Some(d.version), receive)
            .await
            .unwrap()
            .dossier
    }

    /// The index of `period` as `motcua index compute --bundle` computes it on an export
    /// made now (the same library call on the same files).
    pub async fn offline(&self, period: Period) -> Value {
        let store = &self.db.store;
        let (units, procedures) = store.export_catalogue().await.unwrap();
        let dossiers = store.export_dossiers().await.unwrap();
        let calendar = store.calendar().await.unwrap();
        let text = BundleText {
            units: &units,
            procedures: &procedures,
            dossiers: &dossiers,
            petitions: "",
        };
        serde_json::to_value(
            compute_bundle(text, &Definition::default_766(), &calendar, period, None).unwrap(),
        )
        .unwrap()
    }

    /// The live index of `period`, for every unit.
    pub fn live(&self, period: Period) -> Value {
        let out = self.app.live.output(period, None).unwrap().unwrap();
        serde_json::to_value(out).unwrap()
    }
}

pub fn today() -> NaiveDate {
    motcua_app::time::vn_date(Utc::now())
}

pub fn last_30_days() -> Period {
    let today = today();
    Period::new(today - chrono::Duration::days(30), today).unwrap()
}

/// The day an instant falls on in Vietnam.
pub fn vn_day(t: DateTime<Utc>) -> NaiveDate {
    motcua_app::time::vn_date(t)
}
