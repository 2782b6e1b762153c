//! Scores, totals, rating, rank and the output JSON (spec "Total, rating, rank" and
//! "Output"). Scores are computed exactly on integers — a ratio is a fraction of counts and
//! "full at 0.8" is 800 thousandths — and rounded half away from zero once, so no binary
//! floating point error can move a score across a rounding boundary.

use crate::catalogue::{Catalogue, UnitId};
use crate::compute::{Figures, Period, ratio_parts};
use crate::definition::{Definition, IfEmpty, Metric};
use motcua_domain::unit::UnitKind;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Output {
    pub version: String,
    pub period: PeriodOut,
    pub units: Vec<UnitOut>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodOut {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitOut {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub total: f64,
    pub rating: String,
    pub rank: u32,
    pub groups: Vec<GroupOut>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupOut {
    pub key: String,
    pub score: f64,
    pub max: u32,
    pub metrics: Vec<MetricOut>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricOut {
    pub code: String,
    pub numerator: i64,
    pub denominator: i64,
    pub ratio: Option<f64>,
    pub score: f64,
    pub max: u32,
}

/// `n / d` rounded half away from zero to an integer (n ≥ 0, d > 0).
fn round_div(n: i128, d: i128) -> i128 {
    (2 * n + d) / (2 * d)
}

/// Ratio with six decimals, rounded half away from zero.
fn ratio6(num: i64, den: i64) -> Option<f64> {
    (den > 0).then(|| round_div(i128::from(num) * 1_000_000, i128::from(den)) as f64 / 1e6)
}

/// A metric's score in hundredths of a point.
///
/// score = max × r [× r₂] / x, capped at max, where r = num/den, r₂ the ratio of
/// `times_ratio_of` (0 if null) and x the "full at" threshold (1 if none).
fn score_hundredths(m: &Metric, num: i64, den: i64, times: Option<(i64, i64)>) -> i64 {
    let max = i128::from(m.max) * 100;
    if den <= 0 {
        return match m.if_empty {
            IfEmpty::Full => max as i64,
            IfEmpty::Zero => 0,
        };
    }
    let x = i128::from(m.full_at.unwrap_or(1000));
    let (mut n, mut d) = (max * i128::from(num.max(0)) * 1000, i128::from(den) * x);
    if let Some((n2, d2)) = times {
        if d2 <= 0 {
            return 0;
        }
        n *= i128::from(n2.max(0));
        d *= i128::from(d2);
    }
    round_div(n, d).min(max) as i64
}

/// Scores one unit's figures; returns the groups and the total in hundredths.
pub fn score_unit(def: &Definition, f: &Figures) -> (Vec<GroupOut>, i64) {
    let parts: HashMap<&str, (i64, i64)> = def
        .metrics()
        .map(|m| (m.code.as_str(), ratio_parts(m.kind, f)))
        .collect();
    let mut total = 0;
    let groups = def
        .groups
        .iter()
        .map(|g| {
            let mut group = 0;
            let metrics = g
                .metrics
                .iter()
                .map(|m| {
                    let (num, den) = ratio_parts(m.kind, f);
                    let times = m
                        .times_ratio_of
                        .as_deref()
                        .and_then(|c| parts.get(c).copied());
                    let s = score_hundredths(m, num, den, times);
                    group += s;
                    MetricOut {
                        code: m.code.clone(),
                        numerator: num,
                        denominator: den,
                        ratio: ratio6(num, den),
                        score: s as f64 / 100.0,
                        max: m.max,
                    }
                })
                .collect();
            total += group;
            GroupOut {
                key: g.key.clone(),
                score: group as f64 / 100.0,
                max: g.max,
                metrics,
            }
        })
        .collect();
    (groups, total)
}

/// The output for all units' figures (`figures[u]` is unit u's scope), filtered to `only`
/// (a unit and its descendants) if given. Ranks are among all units of the same kind.
pub fn build_output(
    cat: &Catalogue,
    def: &Definition,
    period: Period,
    figures: &[Figures],
    only: Option<UnitId>,
) -> Output {
    let scored: Vec<(Vec<GroupOut>, i64)> = figures.iter().map(|f| score_unit(def, f)).collect();
    let mut by_kind: HashMap<UnitKind, Vec<i64>> = HashMap::new();
    for (u, (_, total)) in cat.units.iter().zip(&scored) {
        by_kind.entry(u.kind).or_default().push(*total);
    }
    let keep: Option<&[UnitId]> = only.map(|u| cat.scope(u));
    let units = cat
        .units
        .iter()
        .zip(scored)
        .enumerate()
        .filter(|(i, _)| keep.is_none_or(|k| k.binary_search(&(*i as UnitId)).is_ok()))
        .map(|(_, (u, (groups, total)))| {
            let better = by_kind
                .get(&u.kind)
                .map_or(0, |ts| ts.iter().filter(|&&t| t > total).count());
            UnitOut {
                code: u.code.clone(),
                name: u.name.clone(),
                kind: u.kind,
                total: total as f64 / 100.0,
                rating: def.rating(total).to_owned(),
                rank: better as u32 + 1,
                groups,
            }
        })
        .collect();
    Output {
        version: def.version.clone(),
        period: PeriodOut {
            from: period.from,
            to: period.to,
        },
        units,
    }
}

/// A readable Vietnamese table of an output (for `--format table`).
pub fn table(def: &Definition, out: &Output) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Bộ chỉ số 766 (phiên bản {}), kỳ từ {} đến {}",
        out.version,
        out.period.from.format("%d/%m/%Y"),
        out.period.to.format("%d/%m/%Y")
    );
    let names: HashMap<&str, &str> = def
        .metrics()
        .map(|m| (m.code.as_str(), m.name.as_str()))
        .chain(def.groups.iter().map(|g| (g.key.as_str(), g.name.as_str())))
        .collect();
    let num = |x: f64| format!("{x:.2}").replace('.', ",");
    for u in &out.units {
        let _ = writeln!(
            s,
            "\n{} — {} ({})\n  Tổng điểm: {}/100 · Xếp loại: {} · Hạng {} trong nhóm \"{}\"",
            u.code,
            u.name,
            u.kind.label_vi(),
            num(u.total),
            u.rating,
            u.rank,
            u.kind.label_vi()
        );
        for g in &u.groups {
            let name = names.get(g.key.as_str()).copied().unwrap_or(&g.key);
            let _ = writeln!(s, "  {:<60} {:>6}/{}", name, num(g.score), g.max);
            for m in &g.metrics {
                let name = names.get(m.code.as_str()).copied().unwrap_or(&m.code);
                let ratio = m
                    .ratio
                    .map_or("—".to_owned(), |r| format!("{}%", num(r * 100.0)));
                let _ = writeln!(
                    s,
                    "    {:<58} {:>6}/{:<3} {:>8}/{:<8} {:>8}",
                    name,
                    num(m.score),
                    m.max,
                    m.numerator,
                    m.denominator,
                    ratio
                );
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(max: u32, full_at: Option<u32>, if_empty: IfEmpty) -> Metric {
        Metric {
            code: "X".into(),
            name: "X".into(),
            kind: crate::definition::MetricKind::DossierSync,
            max,
            full_at,
            times_ratio_of: None,
            if_empty,
        }
    }

    #[test]
    fn exact_rounding() {
        let m = metric(6, None, IfEmpty::Zero);
        // 6 × 40/42 = 5.714285… → 5.71
        assert_eq!(score_hundredths(&m, 40, 42, None), 571);
        // 6 × 1/8 = 0.75 exactly; 6 × 7/16 = 2.625 → 2.63 (half away from zero)
        assert_eq!(score_hundredths(&m, 7, 16, None), 263);
        assert_eq!(score_hundredths(&m, 0, 0, None), 0);
        assert_eq!(
            score_hundredths(&metric(6, None, IfEmpty::Full), 0, 0, None),
            600
        );
        // Full at 0.8: 2 × 0.7 / 0.8 = 1.75; above 0.8 capped.
        let f = metric(2, Some(800), IfEmpty::Zero);
        assert_eq!(score_hundredths(&f, 7, 10, None), 175);
        assert_eq!(score_hundredths(&f, 9, 10, None), 200);
        // ONLINE_DOSSIERS: min(6, 6 × r × s / 0.5), s null → 0.
        let od = metric(6, Some(500), IfEmpty::Zero);
        assert_eq!(score_hundredths(&od, 1, 4, Some((1, 2))), 150);
        assert_eq!(score_hundredths(&od, 1, 4, Some((0, 0))), 0);
        assert_eq!(ratio6(40, 42), Some(0.952381));
        assert_eq!(ratio6(1, 0), None);
    }
}
