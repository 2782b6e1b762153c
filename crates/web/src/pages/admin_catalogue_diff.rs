//! What changed between two versions of a procedure: the parts of the record that differ,
//! named as the public page names them, with the old and the new value.

use motcua_domain::procedure::Procedure;
use serde_json::Value;

/// One changed part between two versions.
pub struct DiffRow {
    pub label: String,
    pub old: String,
    pub new: String,
}

fn part_label(key: &str) -> String {
    match key {
        "name" => "Tên thủ tục",
        "units" => "Cơ quan giải quyết",
        "online_level" => "Mức độ trực tuyến",
        "full_online_eligible" => "Đủ điều kiện trực tuyến toàn trình",
        "written_result" => "Kết quả bằng văn bản",
        "has_fee" => "Có phí, lệ phí",
        "citizen_applicant" => "Đối tượng là công dân",
        "time_limit" => "Thời hạn giải quyết",
        "parts" => "Bộ phận tạo thành được công khai",
        "publications" => "Quyết định công bố",
        "field" => "Lĩnh vực",
        "authority" => "Cơ quan thực hiện",
        "steps" => "Trình tự thực hiện",
        "channels" => "Cách thức thực hiện",
        "time_note" => "Ghi chú về thời hạn",
        "components" => "Thành phần hồ sơ",
        "fees" => "Phí, lệ phí",
        "applicant_kinds" => "Đối tượng thực hiện",
        "result" => "Kết quả",
        "result_code" => "Mã kết quả",
        "legal_basis" => "Căn cứ pháp lý",
        "aliases" => "Tên gọi khác",
        "unverified" => "Mục chưa xác minh",
        "provenance" => "Nguồn dữ liệu",
        other => return format!("Trường “{other}”"),
    }
    .to_owned()
}

fn show(v: Option<&Value>) -> String {
    const MAX: usize = 800;
    let s = match v {
        None | Some(Value::Null) => "(không có)".to_owned(),
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
pub fn diff(old: &Procedure, new: &Procedure) -> Vec<DiffRow> {
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
            label: part_label(k),
            old: show(a.get(k)),
            new: show(b.get(k)),
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
        let d = diff(&a, &b);
        let labels: Vec<&str> = d.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["Tên thủ tục", "Trình tự thực hiện"]);
        assert_eq!(d[1].old, "(không có)");
        assert_eq!(d[1].new, "Bước 1; Bước 2");
    }
}
