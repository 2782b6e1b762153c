//! What changed between two versions of a procedure: the parts of the record that differ,
//! named as the public page names them, with the old and the new value.

use crate::i18n::Lang;
use motcua_domain::procedure::Procedure;
use serde_json::Value;

/// One changed part between two versions.
pub struct DiffRow {
    pub label: String,
    pub old: String,
    pub new: String,
    /// The value is the record's (Vietnamese) text inside an English page.
    pub old_vi: bool,
    pub new_vi: bool,
}

/// A value present in the record, on an English page.
fn data_vi(lang: Lang, v: Option<&Value>) -> bool {
    lang.is_en() && !matches!(v, None | Some(Value::Null))
}

fn part_label(lang: Lang, key: &str) -> String {
    match key {
        "name" => lang.t("admin.part.name"),
        "units" => lang.t("admin.part.units"),
        "online_level" => lang.t("admin.part.online_level"),
        "full_online_eligible" => lang.t("admin.part.full_online_eligible"),
        "written_result" => lang.t("admin.part.written_result"),
        "has_fee" => lang.t("admin.part.has_fee"),
        "citizen_applicant" => lang.t("admin.part.citizen_applicant"),
        "time_limit" => lang.t("admin.part.time_limit"),
        "parts" => lang.t("admin.part.parts"),
        "publications" => lang.t("admin.part.publications"),
        "field" => lang.t("admin.part.field"),
        "authority" => lang.t("admin.part.authority"),
        "steps" => lang.t("admin.part.steps"),
        "channels" => lang.t("admin.part.channels"),
        "time_note" => lang.t("admin.part.time_note"),
        "components" => lang.t("admin.part.components"),
        "fees" => lang.t("admin.part.fees"),
        "applicant_kinds" => lang.t("admin.part.applicant_kinds"),
        "result" => lang.t("admin.part.result"),
        "result_code" => lang.t("admin.part.result_code"),
        "legal_basis" => lang.t("admin.part.legal_basis"),
        "aliases" => lang.t("admin.part.aliases"),
        "unverified" => lang.t("admin.part.unverified"),
        "provenance" => lang.t("admin.part.provenance"),
        other => return lang.f("admin.part.other", other),
    }
    .to_owned()
}

fn show(lang: Lang, v: Option<&Value>) -> String {
    const MAX: usize = 800;
    let s = match v {
        None | Some(Value::Null) => lang.t("admin.part.none").to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("; "),
        Some(v) => v.to_string(),
    };
    if s.chars().count() > MAX {
        let mut t: String = s.chars().take(MAX).collect();
        t.push('…');
        t
    } else {
        s
    }
}

/// The parts that differ between two versions, in the record's order of keys.
pub fn diff(lang: Lang, old: &Procedure, new: &Procedure) -> Vec<DiffRow> {
    let (Ok(Value::Object(a)), Ok(Value::Object(b))) =
        (serde_json::to_value(old), serde_json::to_value(new))
    else {
        return Vec::new();
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| DiffRow {
            label: part_label(lang, k),
            old: show(lang, a.get(k)),
            new: show(lang, b.get(k)),
            old_vi: data_vi(lang, a.get(k)),
            new_vi: data_vi(lang, b.get(k)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn base() -> Procedure {
        serde_json::from_str(
            r#"{"code":"1.001193","name":"Đăng ký khai sinh","units":["000.01.99.H57"]}"#,
        )
        .unwrap()
    }

    #[test]
    fn diff_lists_only_changed_parts() {
        let a = base();
        let mut b = base();
        b.name = "Tên mới".into();
        b.steps = vec!["Bước 1".into(), "Bước 2".into()];
        let d = diff(Lang::Vi, &a, &b);
        let labels: Vec<&str> = d.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["Tên thủ tục", "Trình tự thực hiện"]);
        assert_eq!(d[1].old, "(không có)");
        assert_eq!(d[1].new, "Bước 1; Bước 2");
        let d = diff(Lang::En, &a, &b);
        let labels: Vec<&str> = d.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["Procedure name", "Steps"]);
        assert_eq!(d[1].old, "(none)");
    }
}
