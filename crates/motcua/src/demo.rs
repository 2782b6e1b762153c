//! Demo data for Huế: the sourced catalogue in `demo/hue/` (compiled into the binary so the
//! demo runs from anywhere), the built-in e-forms published as version 1, and one account
//! per role.

use motcua_domain::access::{Grant, Role};
use motcua_domain::dossier::Process;
use motcua_domain::eform::{BUILTIN_PROCEDURES, builtin_source};
use motcua_domain::{ProcedureCode, UnitCode};
use motcua_store::Store;

pub const UNITS: &str = include_str!("../../../demo/hue/units.jsonl");
pub const PROCEDURES: &str = include_str!("../../../demo/hue/procedures.jsonl");
pub const PROCESSES: &str = include_str!("../../../demo/hue/processes.jsonl");

/// Printed at start-up; never use these outside a demo.
pub const DEMO_PASSWORD: &str = "demo-hue-2026";

const ROOT: &str = "000.00.00.H57";
/// Phường An Cựu: the commune the demo's desk and specialists work in.
const COMMUNE: &str = "000.01.99.H57";

pub struct DemoAccount {
    pub username: &'static str,
    /// A person's name, as it prefills their forms.
    pub display_name: &'static str,
    /// What the account is for, printed beside the login.
    pub title: &'static str,
    pub role: Role,
    pub unit: &'static str,
    pub with_sub_units: bool,
}

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        username: "congdan",
        display_name: "Nguyễn Thị Hoa",
        title: "công dân",
        role: Role::Applicant,
        unit: COMMUNE,
        with_sub_units: false,
    },
    DemoAccount {
        username: "tocongnghe",
        display_name: "Trần Văn Bình",
        title: "Tổ Công nghệ số cộng đồng",
        role: Role::DigitalHelper,
        unit: COMMUNE,
        with_sub_units: false,
    },
    DemoAccount {
        username: "tiepnhan",
        display_name: "Lê Thị Mai",
        title: "Bộ phận Một cửa",
        role: Role::ReceptionOfficer,
        unit: COMMUNE,
        with_sub_units: false,
    },
    DemoAccount {
        username: "chuyenvien",
        display_name: "Phạm Văn Đức",
        title: "công chức tư pháp - hộ tịch",
        role: Role::Specialist,
        unit: COMMUNE,
        with_sub_units: false,
    },
    DemoAccount {
        username: "lanhdao",
        display_name: "Hoàng Văn Sơn",
        title: "Chủ tịch UBND phường",
        role: Role::Leader,
        unit: COMMUNE,
        with_sub_units: false,
    },
    DemoAccount {
        username: "quantri",
        display_name: "Võ Thị Lan",
        title: "quản trị, Văn phòng UBND thành phố",
        role: Role::UnitAdmin,
        unit: ROOT,
        with_sub_units: true,
    },
    DemoAccount {
        username: "giamsat",
        display_name: "Đặng Minh Tuấn",
        title: "giám sát chỉ số 766",
        role: Role::ProvinceMonitor,
        unit: ROOT,
        with_sub_units: true,
    },
    DemoAccount {
        username: "vanhanh",
        display_name: "Bùi Quốc Việt",
        title: "vận hành hệ thống",
        role: Role::Operator,
        unit: ROOT,
        with_sub_units: true,
    },
];

/// Loads the demo into an empty database. Returns false (and changes nothing) when the
/// database already holds data.
pub async fn load(store: &Store) -> anyhow::Result<bool> {
    if !store.units().await?.is_empty() || store.account_count().await? > 0 {
        return Ok(false);
    }
    let (report, skipped) =
        crate::bundle_cmd::load(store, UNITS, PROCEDURES, false, Some("demo")).await?;
    debug_assert!(skipped.is_empty());
    tracing::info!(
        units = report.units,
        procedures = report.procedures_published,
        "demo catalogue loaded"
    );
    let tree = store.unit_tree().await?;
    for (i, line) in PROCESSES
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let p: Process = serde_json::from_str(line)
            .map_err(|e| anyhow::anyhow!("processes.jsonl:{}: {e}", i + 1))?;
        p.check(&tree)
            .map_err(|e| anyhow::anyhow!("processes.jsonl:{}: {e}", i + 1))?;
        store.publish_process(&p).await?;
    }
    publish_builtin_eforms(store).await?;
    for a in ACCOUNTS {
        let grant = Grant {
            role: a.role,
            unit: UnitCode::parse(a.unit)?,
            with_sub_units: a.with_sub_units,
        };
        store
            .create_account(
                a.username,
                a.display_name,
                DEMO_PASSWORD,
                &[grant],
                Some("demo"),
            )
            .await?;
    }
    Ok(true)
}

/// The built-in e-forms become each procedure's published version 1, so that in a demo the
/// stored versions are where every form comes from, as in a province that wrote its own;
/// an administrator's next version then replaces them for new dossiers.
async fn publish_builtin_eforms(store: &Store) -> anyhow::Result<()> {
    for code in BUILTIN_PROCEDURES {
        let code = ProcedureCode::parse(code)?;
        let Some(source) = builtin_source(code.as_str()) else {
            continue;
        };
        if store.procedure(&code).await.is_err() {
            continue;
        }
        let version = store.save_eform_draft(&code, source, Some("demo")).await?;
        store
            .publish_eform_draft(&code, version, Some("demo"))
            .await?
            .map_err(|errors| anyhow::anyhow!("built-in e-form {code}: {errors:?}"))?;
    }
    Ok(())
}

pub fn print_logins() {
    println!("Tài khoản minh họa (mật khẩu chung: {DEMO_PASSWORD}):");
    for a in ACCOUNTS {
        println!(
            "  {:<11} {:<18} {} ({})",
            a.username,
            a.role.as_str(),
            a.display_name,
            a.title
        );
    }
}
