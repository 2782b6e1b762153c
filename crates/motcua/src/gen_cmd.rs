//! `motcua gen`: a synthetic but realistic bundle (`spec/bundle.md`) for tests and
//! benchmarks — units, procedures, dossiers and petitions of a Huế-shaped province.
//!
//! Deterministic: every random choice comes from xoshiro256** streams seeded by
//! splitmix64 from `--seed`, so the same arguments give the same bytes on any machine
//! (decisions use integers and correctly rounded float operations — +, ×, ÷, √ — only,
//! never libm functions whose last bit may differ between platforms). The catalogue
//! streams do not depend on `--dossiers`, so a bigger workload keeps the same catalogue.
//!
//! Fast: lines are formatted by hand into a reused buffer (no serde `Value` trees), time
//! is handled as integer milliseconds of local (+07:00) wall-clock time, and working days
//! are looked up in a precomputed table. The distributions are documented, with the
//! shares they produce, in `bench/gen/README.md`.

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate};
use motcua_calendar::{Calendar, DueMode, DurationUnit, TimeLimit, VIETNAM_OFFSET};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct GenArgs {
    /// Output folder (created if missing; the four files in it are overwritten).
    #[arg(long)]
    pub bundle: PathBuf,
    /// Number of units (≥ 4): a province root, a service centre, departments, communes,
    /// and, beyond Huế's 55, sub-units of departments.
    #[arg(long, default_value_t = 55)]
    pub units: usize,
    /// Number of procedures (≥ 1).
    #[arg(long, default_value_t = 126)]
    pub procedures: usize,
    /// Number of dossiers.
    #[arg(long)]
    pub dossiers: u64,
    /// Number of petitions (default: one per 250 dossiers).
    #[arg(long)]
    pub petitions: Option<u64>,
    /// Seed of every random choice.
    #[arg(long)]
    pub seed: u64,
    /// First reception day.
    #[arg(long, default_value = "2024-10-01")]
    pub since: NaiveDate,
    /// Last reception day; the data is a snapshot at the end of this day (later events do
    /// not exist yet, so dossiers received near it are still open).
    #[arg(long, default_value = "2025-04-30")]
    pub until: NaiveDate,
    /// Share of received dossiers of time-limited procedures whose `due_at` is left null
    /// (the engine computes it). 0 for workloads checked by tools without the calendar.
    #[arg(long, default_value_t = 0.02)]
    pub null_due_share: f64,
}

// ---------------------------------------------------------------------------------------
// Random numbers.

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256** (Blackman & Vigna): small, fast, and the same on every platform.
struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// An independent stream per purpose, so that e.g. the dossier count does not shift
    /// the catalogue.
    fn new(seed: u64, stream: u64) -> Self {
        let mut st = seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
        let s = [
            splitmix64(&mut st),
            splitmix64(&mut st),
            splitmix64(&mut st),
            splitmix64(&mut st),
        ];
        Self { s }
    }
    fn next(&mut self) -> u64 {
        let r = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        r
    }
    /// Uniform in [0, 1).
    fn f64(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }
    /// Uniform in [0, n) (Lemire's multiply-shift; the bias is below 2^-40 for our n).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
    /// Uniform in [a, b).
    fn range(&mut self, a: i64, b: i64) -> i64 {
        if b <= a {
            return a;
        }
        a + self.below((b - a) as u64) as i64
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

/// Draws an index with probability proportional to its weight (cumulative table).
struct Weighted {
    cum: Vec<f64>,
}

impl Weighted {
    fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut acc = 0.0;
        let cum = weights
            .into_iter()
            .map(|w| {
                acc += w;
                acc
            })
            .collect();
        Self { cum }
    }
    fn draw(&self, rng: &mut Rng) -> usize {
        let total = self.cum.last().copied().unwrap_or(0.0);
        let x = rng.f64() * total;
        self.cum
            .partition_point(|&c| c <= x)
            .min(self.cum.len().saturating_sub(1))
    }
}

// ---------------------------------------------------------------------------------------
// Time: milliseconds of local (+07:00) wall-clock time since 1970-01-01T00:00 local.

const SEC: i64 = 1000;
const MIN: i64 = 60 * SEC;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;
const OFFSET_MS: i64 = 7 * HOUR;
// The default working windows of `spec/calendar.md` (07:30–11:30, 13:00–17:00), which
// `Calendar::vietnam()` uses; reception and handling happen inside them.
const W1_START: i64 = 7 * HOUR + 30 * MIN;
const W1_END: i64 = 11 * HOUR + 30 * MIN;
const W2_START: i64 = 13 * HOUR;
const W2_END: i64 = 17 * HOUR;

/// Days since 1970-01-01 of a civil date (Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn day_of(date: NaiveDate) -> i64 {
    use chrono::Datelike;
    days_from_civil(
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    )
}

fn date_of(day: i64) -> Option<NaiveDate> {
    let (y, m, d) = civil_from_days(day);
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m as u32, d as u32)
}

fn push_2(out: &mut Vec<u8>, v: i64) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

fn push_num(out: &mut Vec<u8>, v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

fn push_date(out: &mut Vec<u8>, day: i64) {
    let (y, m, d) = civil_from_days(day);
    push_2(out, y / 100);
    push_2(out, y % 100);
    out.push(b'-');
    push_2(out, m);
    out.push(b'-');
    push_2(out, d);
}

/// `"2025-01-07T08:15:00+07:00"` (with `.mmm` when the instant has milliseconds: system
/// clocks stamp online submissions to the millisecond, people at a desk do not).
fn push_ts(out: &mut Vec<u8>, t: i64) {
    let day = t.div_euclid(DAY);
    let tod = t.rem_euclid(DAY);
    out.push(b'"');
    push_date(out, day);
    out.push(b'T');
    push_2(out, tod / HOUR);
    out.push(b':');
    push_2(out, tod / MIN % 60);
    out.push(b':');
    push_2(out, tod / SEC % 60);
    let ms = tod % SEC;
    if ms != 0 {
        out.push(b'.');
        out.push(b'0' + (ms / 100) as u8);
        push_2(out, ms % 100);
    }
    out.extend_from_slice(b"+07:00\"");
}

fn push_opt_ts(out: &mut Vec<u8>, t: Option<i64>) {
    match t {
        Some(t) => push_ts(out, t),
        None => out.extend_from_slice(b"null"),
    }
}

fn push_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes());
            }
            c => {
                let mut b = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
    }
    out.push(b'"');
}

fn push_bool(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

/// The working calendar, with a precomputed day table around the generated span.
struct Work {
    cal: Calendar,
    first: i64,
    working: Vec<bool>,
}

impl Work {
    fn new(cal: Calendar, first: i64, last: i64) -> Self {
        let working = (first..=last)
            .map(|d| date_of(d).is_some_and(|x| cal.is_working_day(x)))
            .collect();
        Self {
            cal,
            first,
            working,
        }
    }
    fn is_working(&self, day: i64) -> bool {
        match usize::try_from(day - self.first)
            .ok()
            .and_then(|i| self.working.get(i))
        {
            Some(&w) => w,
            None => date_of(day).is_some_and(|x| self.cal.is_working_day(x)),
        }
    }
    /// The instant itself if it lies in a working window, else the start of the next one:
    /// officers act in office hours.
    fn snap(&self, t: i64) -> i64 {
        // Officers' actions are recorded to the second.
        let t = t - t.rem_euclid(SEC);
        let mut day = t.div_euclid(DAY);
        let mut tod = t.rem_euclid(DAY);
        loop {
            if !self.is_working(day) || tod >= W2_END {
                day += 1;
                tod = W1_START;
                continue;
            }
            if tod < W1_START {
                tod = W1_START;
            } else if (W1_END..W2_START).contains(&tod) {
                tod = W2_START;
            }
            return day * DAY + tod;
        }
    }
    /// [`Work::snap`], but an instant moved to the next window start lands up to an hour
    /// after it: offices do not act all at 07:30:00 sharp.
    fn snap_jitter(&self, rng: &mut Rng, t: i64) -> i64 {
        let s = self.snap(t);
        if s > t {
            s + rng.range(0, HOUR) / SEC * SEC
        } else {
            s
        }
    }
    /// End (17:00) of the n-th working day after `day`.
    fn end_of_working_days(&self, day: i64, n: u32) -> i64 {
        let mut d = day;
        let mut left = n;
        while left > 0 {
            d += 1;
            if self.is_working(d) {
                left -= 1;
            }
        }
        d * DAY + W2_END
    }
    /// The appointment instant of the receipt, from the calendar (end_of_day mode).
    fn due(&self, received: i64, limit: TimeLimit) -> Option<i64> {
        let start =
            DateTime::from_timestamp_millis(received - OFFSET_MS)?.with_timezone(&VIETNAM_OFFSET);
        let due = self.cal.checked_due(start, limit, DueMode::EndOfDay)?;
        Some(due.timestamp_millis() + OFFSET_MS)
    }
    /// A reception instant on a working day: mornings are busier than afternoons.
    fn office_time(&self, rng: &mut Rng, day: i64) -> i64 {
        let tod = if rng.chance(0.6) {
            rng.range(W1_START, W1_END)
        } else {
            rng.range(W2_START, W2_END)
        };
        day * DAY + tod / SEC * SEC
    }
}

// ---------------------------------------------------------------------------------------
// Catalogue.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Province,
    Department,
    Commune,
    ServiceCentre,
    Other,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Province => "province",
            Kind::Department => "department",
            Kind::Commune => "commune",
            Kind::ServiceCentre => "service_centre",
            Kind::Other => "other",
        }
    }
}

struct Unit {
    code: String,
    name: String,
    kind: Kind,
    parent: Option<usize>,
    e_certified_copy: bool,
    /// Relative dossier volume among units competent for the same procedure.
    weight: f64,
}

const DEPARTMENTS: [&str; 13] = [
    "Văn phòng Ủy ban nhân dân thành phố Huế",
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Tài chính",
    "Sở Công Thương",
    "Sở Nông nghiệp và Môi trường",
    "Sở Xây dựng",
    "Sở Khoa học và Công nghệ",
    "Sở Văn hóa và Thể thao",
    "Sở Du lịch",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Thanh tra thành phố Huế",
];

const COMMUNES: [&str; 40] = [
    "Phường An Cựu",
    "Phường Dương Nỗ",
    "Phường Hóa Châu",
    "Phường Hương An",
    "Phường Hương Thủy",
    "Phường Hương Trà",
    "Phường Kim Long",
    "Phường Kim Trà",
    "Phường Mỹ Thượng",
    "Phường Phong Điền",
    "Phường Phong Dinh",
    "Phường Phong Phú",
    "Phường Phong Quảng",
    "Phường Phong Thái",
    "Phường Phú Bài",
    "Phường Phú Xuân",
    "Phường Thanh Thủy",
    "Phường Thuận An",
    "Phường Thuận Hóa",
    "Phường Thủy Xuân",
    "Phường Vỹ Dạ",
    "Xã A Lưới 1",
    "Xã A Lưới 2",
    "Xã A Lưới 3",
    "Xã A Lưới 4",
    "Xã A Lưới 5",
    "Xã Bình Điền",
    "Xã Chân Mây - Lăng Cô",
    "Xã Đan Điền",
    "Xã Hưng Lộc",
    "Xã Khe Tre",
    "Xã Lộc An",
    "Xã Long Quảng",
    "Xã Nam Đông",
    "Xã Phú Hồ",
    "Xã Phú Lộc",
    "Xã Phú Vang",
    "Xã Phú Vinh",
    "Xã Quảng Điền",
    "Xã Vinh Lộc",
];

/// Huế's shape at 55 units (root, 13 departments, a service centre, 40 communes); more
/// units add communes and sub-units (chi cục, trung tâm) under departments, some two
/// levels deep, so that scopes have depth.
fn gen_units(n: usize, rng: &mut Rng) -> anyhow::Result<Vec<Unit>> {
    if n < 4 {
        bail!("--units must be at least 4 (root, department, service centre, commune)");
    }
    let rest = n - 2;
    let others = if rest > 53 { (rest - 53) / 4 } else { 0 };
    let rest = rest - others;
    let departments = (rest * 13 / 53).max(1);
    let communes = rest - departments;
    if departments > 8000 || communes > 99_000 || others > 99_000 {
        bail!("--units {n} is beyond the code space this generator lays out");
    }
    let mut units = Vec::with_capacity(n);
    units.push(Unit {
        code: "000.00.00.H57".into(),
        name: "Ủy ban nhân dân thành phố Huế".into(),
        kind: Kind::Province,
        parent: None,
        e_certified_copy: false,
        weight: 1.0,
    });
    // Departments: 000.LL.NN.H57 with NN in 10..=89 (80 a block); 90–99 stay free for
    // the service centre and communes.
    for k in 0..departments {
        let name = match DEPARTMENTS.get(k) {
            Some(s) => (*s).to_owned(),
            None => format!("Ban chuyên ngành số {}", k + 1),
        };
        units.push(Unit {
            code: format!("000.{:02}.{:02}.H57", k / 80, 10 + k % 80),
            name,
            kind: Kind::Department,
            parent: Some(0),
            e_certified_copy: false,
            weight: 0.5 + rng.f64() * 1.5,
        });
    }
    units.push(Unit {
        code: "000.00.94.H57".into(),
        name: "Trung tâm Phục vụ hành chính công thành phố Huế".into(),
        kind: Kind::ServiceCentre,
        parent: Some(0),
        e_certified_copy: true,
        weight: 1.0,
    });
    // Communes: LLL.NN.99.H57, as Huế's placeholders (000.01.99.H57 …).
    for k in 0..communes {
        let name = match COMMUNES.get(k) {
            Some(s) => (*s).to_owned(),
            None => format!("Xã Số {}", k + 1),
        };
        let u = rng.f64();
        units.push(Unit {
            code: format!("{:03}.{:02}.99.H57", k / 99, k % 99 + 1),
            name,
            kind: Kind::Commune,
            parent: Some(0),
            e_certified_copy: rng.chance(0.7),
            // Wards in the city are several times busier than mountain communes.
            weight: 0.3 + 2.0 * u * u,
        });
    }
    // Sub-units: LLL.dd.DD.H57 under department dd.DD; every fifth one sits under the
    // previous sub-unit (depth 3 below the root).
    let first_sub = units.len();
    for k in 0..others {
        let dept = 1 + k % departments;
        let (parent, name) = if k % 5 == 4 {
            (first_sub + k - 1, format!("Phòng nghiệp vụ số {}", k + 1))
        } else {
            (dept, format!("Chi cục số {}", k + 1))
        };
        let dept_code = &units[dept].code;
        units.push(Unit {
            code: format!("{:03}{}", 1 + k / departments, &dept_code[3..]),
            name,
            kind: Kind::Other,
            parent: Some(parent),
            e_certified_copy: false,
            weight: 0.5 + rng.f64(),
        });
    }
    Ok(units)
}

const PROCEDURE_NAMES: [&str; 24] = [
    "Đăng ký khai sinh",
    "Đăng ký kết hôn",
    "Đăng ký khai tử",
    "Đăng ký lại khai sinh",
    "Đăng ký nhận cha, mẹ, con",
    "Đăng ký giám hộ",
    "Cấp giấy xác nhận tình trạng hôn nhân",
    "Thay đổi, cải chính, bổ sung thông tin hộ tịch",
    "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
    "Chứng thực chữ ký trong các giấy tờ, văn bản",
    "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản",
    "Đăng ký thường trú",
    "Đăng ký tạm trú",
    "Đăng ký thành lập hộ kinh doanh",
    "Đăng ký thành lập doanh nghiệp tư nhân",
    "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
    "Cấp giấy phép xây dựng mới đối với công trình cấp III, cấp IV",
    "Gia hạn giấy phép xây dựng",
    "Cấp giấy phép kinh doanh dịch vụ lữ hành nội địa",
    "Cấp giấy chứng nhận đủ điều kiện an toàn thực phẩm",
    "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh",
    "Cấp phép thành lập trường mầm non tư thục",
    "Giải quyết khiếu nại lần đầu",
    "Thẩm định, phê duyệt phương án khai thác thủy lợi",
];

enum UnitSet {
    /// Every commune (commune-level procedures list all of them, as in Huế's catalogue).
    AllCommunes,
    List(Vec<usize>),
}

struct Publication {
    decision: i64,
    legal_basis: i64,
    made_public: Option<i64>,
}

struct Procedure {
    code: String,
    name: String,
    units: UnitSet,
    online_level: &'static str,
    /// Chance that a dossier of it comes online (see `calibrate_online`).
    p_online: f64,
    written_result: bool,
    has_fee: bool,
    fee: u64,
    citizen_applicant: bool,
    limit: Option<TimeLimit>,
    parts_missing: Option<usize>,
    publications: Vec<Publication>,
    weight: f64,
}

fn time_limit(rng: &mut Rng) -> anyhow::Result<Option<TimeLimit>> {
    use DurationUnit::*;
    let x = rng.f64();
    let (thousandths, unit) = if x < 0.55 {
        (
            *rng.pick(&[1u32, 2, 3, 3, 5, 5, 7, 10, 12, 15, 20, 30]) * 1000,
            WorkingDays,
        )
    } else if x < 0.62 {
        (*rng.pick(&[500u32, 1500, 2500]), WorkingDays)
    } else if x < 0.72 {
        (*rng.pick(&[2500u32, 4000, 8000, 24_000, 40_000]), Hours)
    } else if x < 0.82 {
        (*rng.pick(&[5u32, 7, 15, 30, 45]) * 1000, Days)
    } else if x < 0.87 {
        (*rng.pick(&[1u32, 2, 3]) * 1000, Months)
    } else {
        return Ok(None);
    };
    Ok(Some(TimeLimit::new(thousandths, unit)?))
}

fn gen_procedures(
    n: usize,
    units: &[Unit],
    since: i64,
    until: i64,
    rng: &mut Rng,
) -> anyhow::Result<Vec<Procedure>> {
    if n == 0 {
        bail!("--procedures must be at least 1");
    }
    if n > 999_000 {
        bail!("--procedures must be at most 999000 (six-digit national codes)");
    }
    let departments: Vec<usize> = (0..units.len())
        .filter(|&i| units[i].kind == Kind::Department)
        .collect();
    let subs_of = |d: usize| -> Vec<usize> {
        (0..units.len())
            .filter(|&i| units[i].kind == Kind::Other && units[i].parent == Some(d))
            .collect()
    };
    let mut out = Vec::with_capacity(n);
    let (mut commune_rank, mut other_rank) = (0u32, 0u32);
    for i in 0..n {
        let x = rng.f64();
        // Commune-level procedures (hộ tịch, chứng thực, cư trú) carry most of the
        // volume; department and province ones are fewer and quieter.
        let (set, commune_level) = if x < 0.55 {
            (UnitSet::AllCommunes, true)
        } else if x < 0.58 {
            // Land procedures: the communes and the environment department together.
            let mut v: Vec<usize> = (0..units.len())
                .filter(|&u| units[u].kind == Kind::Commune)
                .collect();
            v.push(*rng.pick(&departments));
            (UnitSet::List(v), true)
        } else if x < 0.96 {
            let d = *rng.pick(&departments);
            let mut v = vec![d];
            let subs = subs_of(d);
            if !subs.is_empty() && rng.chance(0.5) {
                v.push(*rng.pick(&subs));
            }
            (UnitSet::List(v), false)
        } else {
            (UnitSet::List(vec![0]), false)
        };
        let weight = if commune_level {
            commune_rank += 1;
            1.0 / f64::from(commune_rank).sqrt()
        } else {
            other_rank += 1;
            0.3 / f64::from(other_rank).sqrt()
        };
        let y = rng.f64();
        let online_level = if y < 0.15 {
            "none"
        } else if y < 0.5 {
            "partial"
        } else {
            "full"
        };
        let has_fee = rng.chance(0.3);
        let fee = *rng.pick(&[
            2_000u64, 5_000, 8_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000,
        ]);
        let limit = time_limit(rng)?;
        let parts_missing = rng.chance(0.15).then(|| rng.below(7) as usize);
        let mut publications = Vec::new();
        for _ in 0..rng.below(4) {
            // Decisions fall in the year before the span through its end.
            let decision = rng.range(since - 365, until + 1);
            let legal_basis = if rng.chance(0.8) {
                decision + rng.range(8, 60)
            } else {
                decision + rng.range(-30, 8)
            };
            let r = rng.f64();
            let made_public = if r < 0.8 {
                Some(decision + rng.range(0, 8))
            } else if r < 0.92 {
                Some(decision + rng.range(8, 40))
            } else {
                None
            };
            publications.push(Publication {
                decision,
                legal_basis,
                made_public,
            });
        }
        let name = match PROCEDURE_NAMES.get(i) {
            Some(s) => (*s).to_owned(),
            None => format!("{} (mẫu {})", PROCEDURE_NAMES[i % PROCEDURE_NAMES.len()], i),
        };
        out.push(Procedure {
            code: format!("{}.{:06}", 1 + i % 2, 1000 + i),
            name,
            units: set,
            online_level,
            p_online: match online_level {
                "full" => 0.85,
                "partial" => 0.6,
                _ => 0.0,
            },
            written_result: rng.chance(0.85),
            has_fee,
            fee,
            citizen_applicant: rng.chance(0.7),
            limit,
            parts_missing,
            publications,
            weight,
        });
    }
    calibrate_online(&mut out);
    Ok(out)
}

/// Huế's plan targets about two thirds of dossiers online. Which procedures carry the
/// volume is random, so the per-procedure chances (full > partial > none = 0) are scaled
/// so that the volume-weighted share is 67.5 % whatever the seed.
fn calibrate_online(procs: &mut [Procedure]) {
    const TARGET: f64 = 0.675;
    let total: f64 = procs.iter().map(|p| p.weight).sum();
    let expected: f64 = procs.iter().map(|p| p.weight * p.p_online).sum::<f64>() / total;
    if expected > 0.0 {
        for p in procs.iter_mut() {
            p.p_online = (p.p_online * TARGET / expected).min(0.97);
        }
    }
}

fn write_units(path: &std::path::Path, units: &[Unit]) -> anyhow::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut line = Vec::with_capacity(256);
    for u in units {
        line.clear();
        line.extend_from_slice(b"{\"code\":");
        push_str(&mut line, &u.code);
        line.extend_from_slice(b",\"name\":");
        push_str(&mut line, &u.name);
        line.extend_from_slice(b",\"kind\":");
        push_str(&mut line, u.kind.as_str());
        line.extend_from_slice(b",\"parent\":");
        match u.parent {
            Some(p) => push_str(&mut line, &units[p].code),
            None => line.extend_from_slice(b"null"),
        }
        line.extend_from_slice(b",\"e_certified_copy\":");
        push_bool(&mut line, u.e_certified_copy);
        line.extend_from_slice(b"}\n");
        w.write_all(&line)?;
    }
    w.flush()?;
    Ok(())
}

fn write_procedures(
    path: &std::path::Path,
    procs: &[Procedure],
    units: &[Unit],
    communes: &[usize],
) -> anyhow::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut line = Vec::with_capacity(4096);
    for p in procs {
        line.clear();
        line.extend_from_slice(b"{\"code\":");
        push_str(&mut line, &p.code);
        line.extend_from_slice(b",\"name\":");
        push_str(&mut line, &p.name);
        line.extend_from_slice(b",\"units\":[");
        let list = match &p.units {
            UnitSet::AllCommunes => communes,
            UnitSet::List(v) => v.as_slice(),
        };
        for (i, &u) in list.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            push_str(&mut line, &units[u].code);
        }
        line.extend_from_slice(b"],\"online_level\":");
        push_str(&mut line, p.online_level);
        line.extend_from_slice(b",\"full_online_eligible\":");
        push_bool(&mut line, p.online_level == "full");
        line.extend_from_slice(b",\"written_result\":");
        push_bool(&mut line, p.written_result);
        line.extend_from_slice(b",\"has_fee\":");
        push_bool(&mut line, p.has_fee);
        line.extend_from_slice(b",\"citizen_applicant\":");
        push_bool(&mut line, p.citizen_applicant);
        line.extend_from_slice(b",\"time_limit\":");
        match p.limit {
            Some(l) => {
                line.extend_from_slice(b"{\"value\":");
                line.extend_from_slice(l.value_string().as_bytes());
                line.extend_from_slice(b",\"unit\":");
                push_str(&mut line, l.unit().as_str());
                line.push(b'}');
            }
            None => line.extend_from_slice(b"null"),
        }
        line.extend_from_slice(b",\"parts\":{");
        for (i, part) in [
            "name",
            "steps",
            "method",
            "dossier",
            "time_limit",
            "applicants",
            "agency",
        ]
        .iter()
        .enumerate()
        {
            if i > 0 {
                line.push(b',');
            }
            push_str(&mut line, part);
            line.push(b':');
            push_bool(&mut line, p.parts_missing != Some(i));
        }
        line.extend_from_slice(b"},\"publications\":[");
        for (i, pb) in p.publications.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            line.extend_from_slice(b"{\"decision_date\":\"");
            push_date(&mut line, pb.decision);
            line.extend_from_slice(b"\",\"legal_basis_effective_date\":\"");
            push_date(&mut line, pb.legal_basis);
            line.extend_from_slice(b"\",\"made_public_on\":");
            match pb.made_public {
                Some(d) => {
                    line.push(b'"');
                    push_date(&mut line, d);
                    line.push(b'"');
                }
                None => line.extend_from_slice(b"null"),
            }
            line.push(b'}');
        }
        line.extend_from_slice(b"]}\n");
        w.write_all(&line)?;
    }
    w.flush()?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Dossiers.

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    SupplementRequested,
    SupplementCompleted,
    PaymentRequested,
    Extended,
    Completed,
    Returned,
    Stopped,
    Rejected,
    Withdrawn,
}

impl Ev {
    fn as_str(self) -> &'static str {
        match self {
            Ev::SupplementRequested => "supplement_requested",
            Ev::SupplementCompleted => "supplement_completed",
            Ev::PaymentRequested => "payment_requested",
            Ev::Extended => "extended",
            Ev::Completed => "completed",
            Ev::Returned => "returned",
            Ev::Stopped => "stopped",
            Ev::Rejected => "rejected",
            Ev::Withdrawn => "withdrawn",
        }
    }
}

/// The shares the generator aims at; `bench/gen/README.md` lists them with the shares
/// measured on a generated bundle.
mod share {
    pub const SUPPLEMENT: f64 = 0.08;
    pub const SUPPLEMENT_TWICE: f64 = 0.10;
    pub const SUPPLEMENT_ABANDONED: f64 = 0.12;
    pub const LATE: f64 = 0.048;
    pub const LATE_LONG: f64 = 0.3;
    pub const LATE_LONG_STUCK: f64 = 0.2;
    pub const STOPPED: f64 = 0.01;
    pub const REJECTED: f64 = 0.015;
    pub const WITHDRAWN: f64 = 0.01;
    pub const REFUSED_AT_RECEPTION: f64 = 0.012;
    pub const CHILD: f64 = 0.03;
    pub const CHILD_FOREIGN_PARENT: f64 = 0.1;
    pub const RATED: f64 = 0.6;
    pub const SATISFIED: f64 = 0.96;
    pub const SATISFIED_IF_LATE: f64 = 0.7;
    pub const SYNCED: f64 = 0.97;
}

struct DossierGen<'a> {
    units: &'a [Unit],
    procs: &'a [Procedure],
    communes: &'a [usize],
    commune_pick: Weighted,
    proc_pick: Weighted,
    work: &'a Work,
    /// End of the snapshot: events at or after it have not happened yet.
    asof: i64,
    last_day: i64,
    null_due_share: f64,
    /// Recent parent-eligible dossier codes, for inter-agency children to point to.
    recent: Vec<String>,
    recent_at: usize,
    /// Per unit: dossiers coded so far on the current day (the 4-digit sequence).
    seq: Vec<u16>,
    events: Vec<(i64, Ev)>,
    line: Vec<u8>,
}

impl DossierGen<'_> {
    fn pick_unit(&self, p: &Procedure, rng: &mut Rng) -> usize {
        match &p.units {
            UnitSet::AllCommunes => self.communes[self.commune_pick.draw(rng)],
            UnitSet::List(v) => {
                let total: f64 = v.iter().map(|&u| self.units[u].weight).sum();
                let mut x = rng.f64() * total;
                for &u in v {
                    x -= self.units[u].weight;
                    if x < 0.0 {
                        return u;
                    }
                }
                v[v.len() - 1]
            }
        }
    }

    /// One dossier received (or submitted) on working day `day`, formatted into
    /// `self.line`.
    fn dossier(&mut self, rng: &mut Rng, day: i64) -> anyhow::Result<()> {
        // Procedure and unit; a unit whose daily sequence is full (9999, the code's
        // limit) makes us draw again — only under extreme loads.
        let mut tries = 0;
        let (pi, ui) = loop {
            let pi = self.proc_pick.draw(rng);
            let ui = self.pick_unit(&self.procs[pi], rng);
            if self.seq[ui] < 9999 {
                break (pi, ui);
            }
            tries += 1;
            if tries > 1000 {
                bail!("more than 9999 dossiers a unit a day: add --units or widen the span");
            }
        };
        self.seq[ui] += 1;
        let seq = self.seq[ui];
        let p = &self.procs[pi];
        let unit = &self.units[ui];

        let child = rng.chance(share::CHILD);
        let channel = {
            let x = rng.f64();
            if x < p.p_online {
                "online"
            } else if x < p.p_online + (1.0 - p.p_online) * 0.88 {
                "direct"
            } else {
                "postal"
            }
        };
        let online = channel == "online";
        let applicant = {
            let x = rng.f64();
            if p.citizen_applicant {
                if x < 0.92 {
                    "citizen"
                } else if x < 0.97 {
                    "household_business"
                } else {
                    "business"
                }
            } else if x < 0.6 {
                "business"
            } else if x < 0.85 {
                "household_business"
            } else {
                "citizen"
            }
        };

        let office = self.work.office_time(rng, day);
        // Never accepted: refused at reception, or (in the last two days) still waiting
        // for the desk. Only for procedures with a time limit, since such a dossier has
        // no appointment and its due_at is null.
        let recent = self.last_day - day < 2;
        let never_received = p.limit.is_some()
            && !child
            && (rng.chance(share::REFUSED_AT_RECEPTION) || (recent && online && rng.chance(0.2)));
        let (submitted, received) = match channel {
            "online" => {
                // Submitted any hour, up to two days before reception, to the millisecond.
                let lag = rng.range(0, 3);
                let s = (day - lag) * DAY + rng.range(6 * HOUR, 23 * HOUR);
                let s = if s >= office {
                    office - rng.range(5 * MIN, 2 * HOUR)
                } else {
                    s
                };
                (s, office)
            }
            "postal" => (
                (day - rng.range(1, 4)) * DAY + rng.range(W1_START, W2_END) / SEC * SEC,
                office,
            ),
            _ => (office - rng.range(2 * MIN, 30 * MIN) / SEC * SEC, office),
        };
        let received = (!never_received).then_some(received);

        let (due_true, due_emitted) = match (received, p.limit) {
            (None, _) => (None, None),
            (Some(r), Some(l)) => {
                let d = self.work.due(r, l);
                let emit = if rng.chance(self.null_due_share) {
                    None
                } else {
                    d
                };
                (d, emit)
            }
            // No time limit in the catalogue: the officer writes an appointment.
            (Some(_), None) => {
                let d = self.work.end_of_working_days(day, rng.range(5, 21) as u32);
                (Some(d), Some(d))
            }
        };

        let fee_due = if p.has_fee && rng.chance(0.7) {
            // Per-page and per-copy fees make amounts vary around the schedule's.
            p.fee * (1 + rng.below(3))
        } else {
            0
        };
        self.events.clear();
        let mut late = false;
        if let (Some(r), Some(due)) = (received, due_true) {
            late = self.lifecycle(rng, r, due, fee_due > 0);
        }
        // The snapshot: later events have not happened.
        let asof = self.asof;
        self.events.retain(|e| e.0 < asof);
        self.events.sort();
        let finished_with_result = self
            .events
            .iter()
            .any(|e| matches!(e.1, Ev::Completed | Ev::Returned));
        let returned = self.events.iter().any(|e| e.1 == Ev::Returned);

        let paid_online = fee_due > 0
            && match channel {
                "online" => rng.chance(0.55),
                _ => rng.chance(0.08),
            };
        let synced = rng.chance(share::SYNCED);
        let component_files = rng.chance(match channel {
            "online" => 0.99,
            "direct" => 0.85,
            _ => 0.8,
        });
        let reused = rng.chance(0.35);
        let from_store = rng.chance(if online { 0.3 } else { 0.05 });
        let result_file = if finished_with_result {
            rng.chance(0.9)
        } else {
            rng.chance(0.02)
        };
        let result_to_store = result_file && rng.chance(0.6);
        let citizen_data = rng.chance(match (applicant, online) {
            ("citizen", true) => 0.9,
            ("citizen", false) => 0.5,
            _ => 0.2,
        });
        let rating = if returned && rng.chance(share::RATED) {
            let p_sat = if late {
                share::SATISFIED_IF_LATE
            } else {
                share::SATISFIED
            };
            Some(if rng.chance(p_sat) {
                "satisfied"
            } else {
                "unsatisfied"
            })
        } else {
            None
        };
        let complained = received.is_some()
            && rng.chance(match (late, rating) {
                (_, Some("unsatisfied")) => 0.25,
                (true, _) => 0.03,
                _ => 0.002,
            });

        let parent = if child {
            if self.recent.is_empty() || rng.chance(share::CHILD_FOREIGN_PARENT) {
                // Started in another province's system (Đà Nẵng, H48): not in the bundle.
                Some(format!(
                    "000.00.00.H48-{}-{:04}",
                    yymmdd(day - rng.range(0, 5)),
                    1 + rng.below(9999)
                ))
            } else {
                Some(self.recent[rng.below(self.recent.len() as u64) as usize].clone())
            }
        } else {
            None
        };

        let line = &mut self.line;
        line.clear();
        line.extend_from_slice(b"{\"code\":\"");
        let code_start = line.len();
        line.extend_from_slice(unit.code.as_bytes());
        line.push(b'-');
        line.extend_from_slice(yymmdd(day).as_bytes());
        line.push(b'-');
        push_2(line, i64::from(seq) / 100);
        push_2(line, i64::from(seq) % 100);
        let code_end = line.len();
        line.extend_from_slice(b"\",\"procedure\":\"");
        line.extend_from_slice(p.code.as_bytes());
        line.extend_from_slice(b"\",\"unit\":\"");
        line.extend_from_slice(unit.code.as_bytes());
        line.extend_from_slice(b"\",\"parent\":");
        match &parent {
            Some(c) => push_str(line, c),
            None => line.extend_from_slice(b"null"),
        }
        line.extend_from_slice(b",\"channel\":\"");
        line.extend_from_slice(channel.as_bytes());
        line.extend_from_slice(b"\",\"applicant_kind\":\"");
        line.extend_from_slice(applicant.as_bytes());
        line.extend_from_slice(b"\",\"submitted_at\":");
        // Only online submissions carry the system clock's milliseconds.
        let submitted = if online {
            submitted - submitted.rem_euclid(SEC) + rng.range(0, SEC)
        } else {
            submitted
        };
        push_ts(line, submitted);
        line.extend_from_slice(b",\"received_at\":");
        push_opt_ts(line, received);
        line.extend_from_slice(b",\"due_at\":");
        push_opt_ts(line, due_emitted);
        line.extend_from_slice(b",\"events\":[");
        for (i, (at, kind)) in self.events.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            line.extend_from_slice(b"{\"kind\":\"");
            line.extend_from_slice(kind.as_str().as_bytes());
            line.extend_from_slice(b"\",\"at\":");
            push_ts(line, *at);
            line.push(b'}');
        }
        line.extend_from_slice(b"],\"fee_due\":");
        push_num(line, fee_due);
        for (key, v) in [
            (&b",\"paid_online\":"[..], paid_online),
            (b",\"synced\":", synced),
            (b",\"component_files\":", component_files),
            (b",\"reused_component\":", reused),
            (b",\"from_data_store\":", from_store),
            (b",\"result_file\":", result_file),
            (b",\"result_to_data_store\":", result_to_store),
            (b",\"citizen_data\":", citizen_data),
        ] {
            line.extend_from_slice(key);
            push_bool(line, v);
        }
        line.extend_from_slice(b",\"rating\":");
        match rating {
            Some(r) => push_str(line, r),
            None => line.extend_from_slice(b"null"),
        }
        line.extend_from_slice(b",\"complained\":");
        push_bool(line, complained);
        line.extend_from_slice(b"}\n");

        if !child && received.is_some() {
            // The code is ASCII written by us above, so this cannot fail.
            let code = String::from_utf8_lossy(&line[code_start..code_end]).into_owned();
            if self.recent.len() < 4096 {
                self.recent.push(code);
            } else {
                self.recent[self.recent_at] = code;
                self.recent_at = (self.recent_at + 1) % 4096;
            }
        }
        Ok(())
    }

    /// The events of a received dossier (before the snapshot cut); returns whether it was
    /// meant to be late.
    fn lifecycle(&mut self, rng: &mut Rng, r: i64, due: i64, fee: bool) -> bool {
        let w = self.work;
        let span = (due - r).max(HOUR);
        let at = |rng: &mut Rng, from: i64, len: i64, lo: f64, hi: f64| -> i64 {
            let t = from + (len as f64 * (lo + (hi - lo) * rng.f64())) as i64;
            w.snap_jitter(rng, t)
        };
        let mut t = r;
        let mut pause = 0;
        let mut k = 0;
        if rng.chance(share::SUPPLEMENT) {
            k = if rng.chance(share::SUPPLEMENT_TWICE) {
                2
            } else {
                1
            };
        }
        for i in 0..k {
            let q = at(rng, t, span, 0.05, 0.35).max(t + MIN);
            self.events.push((q, Ev::SupplementRequested));
            if i == 0 && rng.chance(share::SUPPLEMENT_ABANDONED) {
                // The applicant never came back: the clock stays stopped; the unit may
                // stop the dossier after a month or more, or it stays open.
                if rng.chance(0.5) {
                    let kind = if rng.chance(0.5) {
                        Ev::Stopped
                    } else {
                        Ev::Withdrawn
                    };
                    let t = q + rng.range(20 * DAY, 60 * DAY);
                    self.events.push((w.snap_jitter(rng, t), kind));
                }
                return false;
            }
            let c = q + rng.range(HOUR, 10 * DAY);
            let c = w.snap_jitter(rng, c).max(q + MIN);
            self.events.push((c, Ev::SupplementCompleted));
            pause += c - q;
            t = c;
        }
        if fee && rng.chance(0.3) {
            let x = at(rng, t, span, 0.0, 0.2).max(t + MIN);
            self.events.push((x, Ev::PaymentRequested));
            t = x;
        }
        let x = rng.f64();
        let end_kind = if x < share::STOPPED {
            Some(Ev::Stopped)
        } else if x < share::STOPPED + share::REJECTED {
            Some(Ev::Rejected)
        } else if x < share::STOPPED + share::REJECTED + share::WITHDRAWN {
            Some(Ev::Withdrawn)
        } else {
            None
        };
        if let Some(kind) = end_kind {
            let f = at(rng, t, (due + pause - t).max(HOUR), 0.1, 0.9).max(t + MIN);
            self.events.push((f, kind));
            return false;
        }
        let late = k == 2 || rng.chance(share::LATE);
        let f = if late {
            let long = rng.chance(share::LATE_LONG);
            if rng.chance(0.4) {
                // Apology and new appointment (form 04) before the original due date.
                let e = at(rng, r, span, 0.6, 0.95);
                self.events.push((e.max(t + MIN), Ev::Extended));
            }
            if long && rng.chance(share::LATE_LONG_STUCK) {
                return true;
            }
            let by = if long {
                rng.range(10 * DAY, 90 * DAY)
            } else {
                rng.range(HOUR, 5 * DAY)
            };
            w.snap_jitter(rng, due + pause + by)
        } else {
            // Most are done well before the appointment; a few at the last hour.
            let u = rng.f64();
            let frac = 0.15 + 0.82 * (1.0 - u * u);
            let f = w.snap_jitter(rng, r + pause + (span as f64 * frac) as i64);
            // Jitter must not make an on-time dossier late (the end is checked against
            // due + pause); a supplement returned at the last minute still can.
            f.min(due + pause - (due + pause).rem_euclid(SEC))
                .max(t + 30 * MIN)
        };
        if rng.chance(0.03) {
            // Some desks record only the hand-over.
            self.events.push((f, Ev::Returned));
        } else {
            self.events.push((f, Ev::Completed));
            if rng.chance(0.95) {
                let back = if rng.chance(0.5) {
                    f + rng.range(MIN, 30 * MIN)
                } else {
                    let t = f + rng.range(HOUR, 4 * DAY);
                    w.snap_jitter(rng, t)
                };
                self.events.push((back, Ev::Returned));
            }
        }
        late
    }
}

fn yymmdd(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{:02}{:02}{:02}", y % 100, m, d)
}

// ---------------------------------------------------------------------------------------
// Petitions.

fn write_petitions(
    path: &std::path::Path,
    n: u64,
    units: &[Unit],
    work: &Work,
    days: &[i64],
    asof: i64,
    rng: &mut Rng,
) -> anyhow::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let pick = Weighted::new(units.iter().map(|u| u.weight));
    let mut line = Vec::with_capacity(256);
    let mut per_year: std::collections::BTreeMap<i64, u64> = Default::default();
    for _ in 0..n {
        let day = *rng.pick(days);
        let received = work.office_time(rng, day);
        let year = civil_from_days(day).0;
        let seq = per_year.entry(year).or_insert(0);
        *seq += 1;
        let explicit = rng.chance(0.3);
        // The default deadline (15 working days, end of day), reproduced for our own
        // choice of resolution time; an explicit one is 10 working days.
        let deadline = work.end_of_working_days(day, if explicit { 10 } else { 15 });
        let x = rng.f64();
        let resolved = if x < 0.85 {
            let t = received + rng.range(HOUR, (deadline - received).max(2 * HOUR));
            Some(work.snap(t).min(deadline))
        } else if x < 0.93 {
            let t = deadline + rng.range(HOUR, 20 * DAY);
            Some(work.snap_jitter(rng, t))
        } else {
            None
        }
        .filter(|&t| t < asof);
        let satisfaction = match resolved {
            Some(_) if rng.chance(0.7) => Some(if rng.chance(0.88) {
                "satisfied"
            } else {
                "unsatisfied"
            }),
            _ => None,
        };
        line.clear();
        line.extend_from_slice(b"{\"id\":\"PA-");
        push_num(&mut line, year as u64);
        line.push(b'-');
        let s = format!("{:06}", *seq);
        line.extend_from_slice(s.as_bytes());
        line.extend_from_slice(b"\",\"unit\":");
        push_str(&mut line, &units[pick.draw(rng)].code);
        line.extend_from_slice(b",\"received_at\":");
        push_ts(&mut line, received);
        line.extend_from_slice(b",\"deadline_at\":");
        push_opt_ts(&mut line, explicit.then_some(deadline));
        line.extend_from_slice(b",\"resolved_at\":");
        push_opt_ts(&mut line, resolved);
        line.extend_from_slice(b",\"satisfaction\":");
        match satisfaction {
            Some(s) => push_str(&mut line, s),
            None => line.extend_from_slice(b"null"),
        }
        line.extend_from_slice(b",\"repeated\":");
        push_bool(&mut line, rng.chance(0.04));
        line.extend_from_slice(b"}\n");
        w.write_all(&line)?;
    }
    w.flush()?;
    Ok(())
}

// ---------------------------------------------------------------------------------------

pub fn run(args: GenArgs) -> anyhow::Result<()> {
    if args.since > args.until {
        bail!("--since must not be after --until");
    }
    if !(0.0..=1.0).contains(&args.null_due_share) {
        bail!("--null-due-share must be between 0 and 1");
    }
    std::fs::create_dir_all(&args.bundle)
        .with_context(|| format!("creating {}", args.bundle.display()))?;
    let since = day_of(args.since);
    let until = day_of(args.until);
    // The table covers publications a year back and late finishes months ahead.
    let work = Work::new(Calendar::vietnam(), since - 400, until + 400);
    let asof = (until + 1) * DAY;

    let units = gen_units(args.units, &mut Rng::new(args.seed, 1))?;
    let communes: Vec<usize> = (0..units.len())
        .filter(|&i| units[i].kind == Kind::Commune)
        .collect();
    let procs = gen_procedures(
        args.procedures,
        &units,
        since,
        until,
        &mut Rng::new(args.seed, 2),
    )?;
    write_units(&args.bundle.join("units.jsonl"), &units)?;
    write_procedures(
        &args.bundle.join("procedures.jsonl"),
        &procs,
        &units,
        &communes,
    )?;

    // Reception days and their share of the volume: Mondays are busiest, Fridays and
    // make-up Saturdays quieter.
    let days: Vec<i64> = (since..=until).filter(|&d| work.is_working(d)).collect();
    if days.is_empty() {
        bail!("no working day between --since and --until");
    }
    let weights: Vec<f64> = days
        .iter()
        .map(|&d| match (d + 3).rem_euclid(7) {
            0 => 1.2,
            1 => 1.05,
            2 => 1.0,
            3 => 0.95,
            4 => 0.85,
            _ => 0.9,
        })
        .collect();
    let total: f64 = weights.iter().sum();

    let path = args.bundle.join("dossiers.jsonl");
    let mut out = BufWriter::with_capacity(
        1 << 22,
        File::create(&path).with_context(|| format!("creating {}", path.display()))?,
    );
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(args.dossiers),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} {bar:40} {human_pos}/{human_len} dossiers ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar.set_message("gen");
    let mut g = DossierGen {
        units: &units,
        procs: &procs,
        communes: &communes,
        commune_pick: Weighted::new(communes.iter().map(|&c| units[c].weight)),
        proc_pick: Weighted::new(procs.iter().map(|p| p.weight)),
        work: &work,
        asof,
        last_day: until,
        null_due_share: args.null_due_share,
        recent: Vec::with_capacity(4096),
        recent_at: 0,
        seq: vec![0; units.len()],
        events: Vec::with_capacity(16),
        line: Vec::with_capacity(1024),
    };
    let mut rng = Rng::new(args.seed, 3);
    let mut acc = 0.0;
    let mut done: u64 = 0;
    for (i, &day) in days.iter().enumerate() {
        // Cumulative rounding: the day counts add up to exactly --dossiers.
        acc += weights[i];
        let target = if i + 1 == days.len() {
            args.dossiers
        } else {
            ((args.dossiers as f64) * acc / total).round() as u64
        };
        g.seq.iter_mut().for_each(|s| *s = 0);
        while done < target {
            g.dossier(&mut rng, day)?;
            out.write_all(&g.line)?;
            done += 1;
            if done.is_multiple_of(65_536) {
                bar.set_position(done);
            }
        }
    }
    out.flush()?;
    bar.finish_and_clear();

    let petitions = args.petitions.unwrap_or(args.dossiers / 250);
    write_petitions(
        &args.bundle.join("petitions.jsonl"),
        petitions,
        &units,
        &work,
        &days,
        asof,
        &mut Rng::new(args.seed, 4),
    )?;
    eprintln!(
        "wrote {} units, {} procedures, {} dossiers, {} petitions to {}",
        units.len(),
        procs.len(),
        args.dossiers,
        petitions,
        args.bundle.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for d in [-1000, 0, 19_000, 20_089, 30_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(civil_from_days(20_089), (2025, 1, 1));
    }

    #[test]
    fn timestamps() {
        let mut v = Vec::new();
        push_ts(&mut v, 20_095 * DAY + 8 * HOUR + 15 * MIN + 7 * SEC + 42);
        assert_eq!(v, b"\"2025-01-07T08:15:07.042+07:00\"");
        v.clear();
        push_ts(&mut v, 20_095 * DAY + 17 * HOUR);
        assert_eq!(v, b"\"2025-01-07T17:00:00+07:00\"");
    }

    #[test]
    fn snap_moves_into_office_hours() {
        let w = Work::new(Calendar::vietnam(), 20_000, 20_200);
        // Saturday 2025-01-04 10:00 → Monday 2025-01-06 07:30.
        assert_eq!(w.snap(20_092 * DAY + 10 * HOUR), 20_094 * DAY + W1_START);
        assert_eq!(w.snap(20_094 * DAY + 12 * HOUR), 20_094 * DAY + W2_START);
    }
}
