//! What the gateway does with a request once it has one: sessions, the two services and
//! the dossiers they leave behind. No HTTP here; `mod.rs` carries bytes in and out.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use rand::{Rng, distributions::Alphanumeric};
use serde_json::{Value, json};

use super::validate::{self, Invalid};

/// A progress call carries at most this many rows.
pub const MAX_PROGRESS_ROWS: usize = 10;

const OK: i64 = 0;
const SESSION: i64 = -1;
const INVALID: i64 = -2;
const EXISTS: i64 = -3;
const MISSING: i64 = -4;

/// What the portal holds of one dossier, as tests need to see it.
#[derive(Debug, Clone, Default)]
pub struct Dossier {
    /// The latest record accepted for it.
    pub record: Value,
    /// Progress rows in the order they were accepted.
    pub progress: Vec<Value>,
    pub creates: u64,
    pub updates: u64,
}

#[derive(Debug)]
pub struct Gateway {
    username: String,
    password: String,
    session_ttl: Duration,
    /// The procedures of the national catalogue (CSDL quốc gia về TTHC), when the sandbox
    /// was given them: the portal keeps dossiers of published procedures only.
    catalogue: Option<BTreeSet<String>>,
    sessions: HashMap<String, Instant>,
    /// Ordered by code, so that the sandbox's listing is stable.
    dossiers: BTreeMap<String, Dossier>,
}

fn answer(code: i64, message: impl Into<String>) -> Value {
    json!({"error_code": code, "message": message.into()})
}

fn invalid(e: &Invalid) -> Value {
    answer(INVALID, e.to_string())
}

impl Gateway {
    pub fn new(
        username: String,
        password: String,
        session_ttl: Duration,
        catalogue: Option<BTreeSet<String>>,
    ) -> Self {
        Gateway {
            username,
            password,
            session_ttl,
            catalogue,
            sessions: HashMap::new(),
            dossiers: BTreeMap::new(),
        }
    }

    pub fn dossiers(&self) -> &BTreeMap<String, Dossier> {
        &self.dossiers
    }

    /// `POST /login`. `body` is the request parsed as JSON, or why it is not JSON.
    pub fn login(&mut self, body: Result<&Value, &str>, now: Instant) -> Value {
        let body = match object(body) {
            Ok(b) => b,
            Err(e) => return e,
        };
        let field = |key: &str| match body.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.as_str()),
            _ => Err(invalid(&Invalid::new(key, "bắt buộc, phải là một chuỗi"))),
        };
        let (user, pass) = match (field("username"), field("password")) {
            (Ok(u), Ok(p)) => (u, p),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        if user != self.username || pass != self.password {
            return answer(SESSION, "Sai tên đăng nhập hoặc mật khẩu");
        }
        // Sessions are dropped only here, so the table cannot grow past one TTL of logins.
        self.sessions.retain(|_, until| *until > now);
        let token: String = rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(32)
            .map(char::from)
            .collect();
        let until = now.checked_add(self.session_ttl).unwrap_or(now);
        self.sessions.insert(token.clone(), until);
        json!({"error_code": OK, "session": token, "expires_in": self.session_ttl.as_secs()})
    }

    /// `POST /service`.
    pub fn service(&mut self, body: Result<&Value, &str>, now: Instant) -> Value {
        let body = match object(body) {
            Ok(b) => b,
            Err(e) => return e,
        };
        let live = body
            .get("session")
            .and_then(Value::as_str)
            .and_then(|s| self.sessions.get(s))
            .is_some_and(|until| *until > now);
        if !live {
            return answer(
                SESSION,
                "Phiên làm việc không hợp lệ hoặc đã hết hạn, vui lòng đăng nhập lại",
            );
        }
        match body.get("madonvi") {
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            _ => return invalid(&Invalid::new("madonvi", "bắt buộc, mã đơn vị")),
        }
        match body.get("service").and_then(Value::as_str) {
            Some("DongBoHoSoMC") => self.sync(body),
            Some("CapNhatTienDoHoSoMC") => self.progress(body),
            Some(other) => invalid(&Invalid::new(
                "service",
                format!("dịch vụ \"{other}\" không tồn tại"),
            )),
            None => invalid(&Invalid::new("service", "bắt buộc, tên dịch vụ")),
        }
    }

    /// `DongBoHoSoMC`: the whole batch is checked before any record is stored, so a batch
    /// is taken whole or not at all.
    fn sync(&mut self, body: &serde_json::Map<String, Value>) -> Value {
        let updating = match body.get("isUpdating").and_then(Value::as_str) {
            Some(s) if s.eq_ignore_ascii_case("false") => false,
            Some(s) if s.eq_ignore_ascii_case("true") => true,
            _ => {
                return invalid(&Invalid::new(
                    "isUpdating",
                    "phải là chuỗi \"False\" (tạo mới) hoặc \"True\" (cập nhật)",
                ));
            }
        };
        let records = match data(body, usize::MAX) {
            Ok(r) => r,
            Err(e) => return e,
        };
        let at = |i: usize| (records.len() > 1).then(|| format!("data[{i}]"));
        let mut codes = Vec::with_capacity(records.len());
        for (i, r) in records.iter().enumerate() {
            match validate::record(r).and_then(|code| self.published(r).map(|()| code)) {
                Ok(code) => codes.push(code),
                Err(e) => return invalid(&within(e, at(i))),
            }
        }
        // Content first, then existence: a -2 is final for the record whatever the portal
        // holds, so it is the answer that tells the adapter the most.
        for (i, code) in codes.iter().enumerate() {
            let earlier = codes[..i].contains(code);
            let exists = self.dossiers.contains_key(*code) || earlier;
            if !updating && exists {
                return answer(EXISTS, prefixed(at(i), "Hồ sơ đã tồn tại"));
            }
            if updating && !exists {
                return answer(MISSING, prefixed(at(i), "Hồ sơ không tồn tại"));
            }
        }
        for (code, record) in codes.iter().zip(records) {
            let d = self.dossiers.entry((*code).to_owned()).or_default();
            d.record = record.clone();
            if updating {
                d.updates += 1;
            } else {
                d.creates += 1;
            }
        }
        let done = if updating {
            "Cập nhật hồ sơ thành công"
        } else {
            "Đồng bộ hồ sơ thành công"
        };
        answer(OK, format!("{done} ({} hồ sơ)", records.len()))
    }

    /// Whether the record's procedure is in the national catalogue (any well-formed code
    /// is, when the sandbox was not given one).
    fn published(&self, record: &Value) -> Result<(), Invalid> {
        let code = record.get("MaTTHC").and_then(Value::as_str).unwrap_or("");
        match &self.catalogue {
            Some(known) if !known.contains(code) => Err(Invalid::new(
                "MaTTHC",
                format!(
                    "thủ tục \"{code}\" không có trong Cơ sở dữ liệu quốc gia về thủ tục hành chính"
                ),
            )),
            _ => Ok(()),
        }
    }

    /// `CapNhatTienDoHoSoMC`: at most ten rows, each for a dossier the portal holds;
    /// all rows are appended in order, or none.
    fn progress(&mut self, body: &serde_json::Map<String, Value>) -> Value {
        let rows = match data(body, MAX_PROGRESS_ROWS) {
            Ok(r) => r,
            Err(e) => return e,
        };
        let at = |i: usize| (rows.len() > 1).then(|| format!("data[{i}]"));
        let mut codes = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            match validate::progress_row(row) {
                Ok(code) => codes.push(code),
                Err(e) => return invalid(&within(e, at(i))),
            }
        }
        if let Some(i) = codes.iter().position(|c| !self.dossiers.contains_key(*c)) {
            return answer(MISSING, prefixed(at(i), "Hồ sơ không tồn tại"));
        }
        for (code, row) in codes.iter().zip(rows) {
            if let Some(d) = self.dossiers.get_mut(*code) {
                d.progress.push(row.clone());
            }
        }
        answer(
            OK,
            format!("Cập nhật tiến độ thành công ({} dòng)", rows.len()),
        )
    }
}

/// The body as an object, or the `-2` answer saying why it is not one.
fn object<'a>(body: Result<&'a Value, &str>) -> Result<&'a serde_json::Map<String, Value>, Value> {
    match body {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(invalid(&Invalid::new("body", "phải là một đối tượng JSON"))),
        Err(why) => Err(invalid(&Invalid::new(
            "body",
            format!("không phải JSON hợp lệ ({why})"),
        ))),
    }
}

/// `data`: an array of 1..=`max` items.
fn data(body: &serde_json::Map<String, Value>, max: usize) -> Result<&[Value], Value> {
    match body.get("data") {
        Some(Value::Array(items)) if items.is_empty() => {
            Err(invalid(&Invalid::new("data", "không được rỗng")))
        }
        Some(Value::Array(items)) if items.len() > max => Err(invalid(&Invalid::new(
            "data",
            format!("tối đa {max} dòng một lần, nhận {}", items.len()),
        ))),
        Some(Value::Array(items)) => Ok(items),
        _ => Err(invalid(&Invalid::new("data", "bắt buộc, phải là một mảng"))),
    }
}

fn within(e: Invalid, at: Option<String>) -> Invalid {
    match at {
        Some(at) => e.under(&at),
        None => e,
    }
}

fn prefixed(at: Option<String>, message: &str) -> String {
    match at {
        Some(at) => format!("{at}: {message}"),
        None => message.to_owned(),
    }
}
