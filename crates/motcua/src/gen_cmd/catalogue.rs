//! The catalogue of `motcua gen`: units and procedures, and their lines.

use super::*;

// ---------------------------------------------------------------------------------------
// Catalogue.

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Province,
    Department,
    Commune,
    ServiceCentre,
    Other,
}

impl Kind {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Kind::Province => "province",
            Kind::Department => "department",
            Kind::Commune => "commune",
            Kind::ServiceCentre => "service_centre",
            Kind::Other => "other",
        }
    }
}

pub(super) struct Unit {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) kind: Kind,
    pub(super) parent: Option<usize>,
    pub(super) e_certified_copy: bool,
    /// Relative dossier volume among units competent for the same procedure.
    pub(super) weight: f64,
}

pub(super) const DEPARTMENTS: [&str; 13] = [
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

pub(super) const COMMUNES: [&str; 40] = [
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
pub(super) fn gen_units(n: usize, rng: &mut Rng) -> anyhow::Result<Vec<Unit>> {
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

pub(super) const PROCEDURE_NAMES: [&str; 24] = [
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

pub(super) enum UnitSet {
    /// Every commune (commune-level procedures list all of them, as in Huế's catalogue).
    AllCommunes,
    List(Vec<usize>),
}

pub(super) struct Publication {
    pub(super) decision: i64,
    pub(super) legal_basis: i64,
    pub(super) made_public: Option<i64>,
}

pub(super) struct Procedure {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) units: UnitSet,
    pub(super) online_level: &'static str,
    /// Chance that a dossier of it comes online (see `calibrate_online`).
    pub(super) p_online: f64,
    pub(super) written_result: bool,
    pub(super) has_fee: bool,
    pub(super) fee: u64,
    pub(super) citizen_applicant: bool,
    pub(super) limit: Option<TimeLimit>,
    pub(super) parts_missing: Option<usize>,
    pub(super) publications: Vec<Publication>,
    pub(super) weight: f64,
}

pub(super) fn time_limit(rng: &mut Rng) -> anyhow::Result<Option<TimeLimit>> {
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

pub(super) fn gen_procedures(
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
pub(super) fn calibrate_online(procs: &mut [Procedure]) {
    const TARGET: f64 = 0.675;
    let total: f64 = procs.iter().map(|p| p.weight).sum();
    let expected: f64 = procs.iter().map(|p| p.weight * p.p_online).sum::<f64>() / total;
    if expected > 0.0 {
        for p in procs.iter_mut() {
            p.p_online = (p.p_online * TARGET / expected).min(0.97);
        }
    }
}

pub(super) fn write_units(path: &std::path::Path, units: &[Unit]) -> anyhow::Result<()> {
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

pub(super) fn write_procedures(
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
