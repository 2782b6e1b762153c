//! Metric definitions as versioned data. A new decision or portal rule changes
//! `data/<version>.json`, not code: groups, codes, points, "full at" thresholds, what an empty
//! denominator scores, rating bands and the day counts of the rules. What each `kind`
//! *counts* is code (`compute::ratio_parts`); a file naming a kind this build does not know
//! is refused at load.

use motcua_calendar::{DurationUnit, TimeLimit};
use motcua_domain::dossier::outside::Fact;
use serde::Deserialize;
use std::collections::HashSet;

/// The definition this build ships: version `766-2026.2`.
pub const DEFAULT_JSON: &str = include_str!("../data/766-2026.2.json");

/// What a metric counts. One variant per ratio the spec defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    PublishOnTime,
    PublicUpdateOnTime,
    PublicContentFull,
    DossierSync,
    ProgressOnTime,
    OnlineProcedures,
    OnlineServicesUsed,
    OnlineDossiers,
    PaymentDossiers,
    PaymentProceduresUsed,
    PaymentProceduresFeeData,
    PetitionProcessingOnTime,
    PetitionHandlingSatisfaction,
    DossierReceivingSatisfaction,
    OriginalResultAvailable,
    SoHoaGiayToGiaiQuyet,
    ElectronicCertifiedCopy,
    ReusedDigitizedData,
    SyncedWithDvcqgPersonalStorage,
    CitizenDataConnectedDossier,
    CitizenDataConnectedFormality,
}

impl MetricKind {
    /// The outside facts (`spec/integrations.md`) the metric reads: those only an outside
    /// system can confirm, so that a page can say which system feeds it. ONLINE_DOSSIERS
    /// reads `synced` through DOSSIER_SYNC's ratio; DOSSIER_RECEIVING_SATISFACTION counts
    /// a dossier with a petition against it.
    pub fn outside_facts(self) -> &'static [Fact] {
        use MetricKind as K;
        match self {
            K::DossierSync | K::OnlineDossiers => &[Fact::Synced],
            K::PaymentDossiers | K::PaymentProceduresUsed => &[Fact::PaidOnline],
            K::DossierReceivingSatisfaction => &[Fact::Complained],
            K::ReusedDigitizedData => &[Fact::ReusedComponent],
            K::SyncedWithDvcqgPersonalStorage => &[Fact::FromDataStore, Fact::ResultToDataStore],
            K::CitizenDataConnectedDossier | K::CitizenDataConnectedFormality => {
                &[Fact::CitizenData]
            }
            K::PublishOnTime
            | K::PublicUpdateOnTime
            | K::PublicContentFull
            | K::ProgressOnTime
            | K::OnlineProcedures
            | K::OnlineServicesUsed
            | K::PaymentProceduresFeeData
            | K::PetitionProcessingOnTime
            | K::PetitionHandlingSatisfaction
            | K::OriginalResultAvailable
            | K::SoHoaGiayToGiaiQuyet
            | K::ElectronicCertifiedCopy => &[],
        }
    }
}

/// Score of a metric whose denominator is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IfEmpty {
    #[default]
    Zero,
    Full,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    pub code: String,
    pub name: String,
    pub kind: MetricKind,
    pub max: u32,
    /// "Full at x": score = min(max, max × r / x). In thousandths after loading.
    #[serde(default, deserialize_with = "thousandths")]
    pub full_at: Option<u32>,
    /// Score multiplied by another metric's ratio (ONLINE_DOSSIERS × DOSSIER_SYNC).
    #[serde(default)]
    pub times_ratio_of: Option<String>,
    #[serde(default)]
    pub if_empty: IfEmpty,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub key: String,
    pub name: String,
    pub max: u32,
    pub metrics: Vec<Metric>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Lowest total (inclusive), in hundredths after loading; `None` = everything below.
    #[serde(deserialize_with = "hundredths")]
    pub min: Option<i64>,
    pub label: String,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameters {
    /// PUBLISH_ON_TIME: decision at the latest this many working days before the legal basis
    /// takes effect.
    pub publish_margin_working_days: u32,
    /// PUBLIC_UPDATE_ON_TIME: made public within this many working days of the decision.
    pub public_update_working_days: u32,
    /// A petition's deadline when the bundle gives none.
    pub petition_working_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    pub version: String,
    #[serde(default)]
    pub source: String,
    pub parameters: Parameters,
    pub groups: Vec<Group>,
    pub ratings: Vec<Band>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    #[error("definition is not valid: {0}")]
    Json(String),
    #[error("group {group}: max {max} is not the sum of its metrics' ({sum})")]
    GroupMax { group: String, max: u32, sum: u32 },
    #[error("metric {0} appears twice")]
    DuplicateMetric(String),
    #[error("metric {0}: full_at must be in (0, 1]")]
    FullAt(String),
    #[error("metric {0}: times_ratio_of must name a metric defined before it")]
    TimesRatioOf(String),
    #[error("rating bands must descend and end with one whose min is null")]
    Bands,
    #[error("petition_working_days must be a valid time limit")]
    PetitionDays,
}

fn decimal_scaled(n: &serde_json::Number, scale: u32) -> Option<i64> {
    // Through the shortest decimal text, so 0.8 is exactly 800 thousandths.
    let s = n.to_string();
    let (i, f) = s.split_once('.').unwrap_or((&s, ""));
    if f.len() > scale as usize || i.starts_with('-') {
        return None;
    }
    let whole: i64 = i.parse().ok()?;
    let frac: i64 = if f.is_empty() {
        0
    } else {
        format!("{f:0<width$}", width = scale as usize)
            .parse()
            .ok()?
    };
    whole.checked_mul(10i64.pow(scale))?.checked_add(frac)
}

fn thousandths<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match Option::<serde_json::Number>::deserialize(d)? {
        None => Ok(None),
        Some(n) => decimal_scaled(&n, 3)
            .and_then(|v| u32::try_from(v).ok())
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("full_at: at most 3 decimals")),
    }
}

fn hundredths<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<serde_json::Number>::deserialize(d)? {
        None => Ok(None),
        Some(n) => decimal_scaled(&n, 2)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("min: at most 2 decimals")),
    }
}

impl Definition {
    /// Loads and checks a definition file.
    pub fn from_json(text: &str) -> Result<Definition, DefinitionError> {
        let def: Definition =
            serde_json::from_str(text).map_err(|e| DefinitionError::Json(e.to_string()))?;
        let mut seen = HashSet::new();
        for g in &def.groups {
            let sum: u32 = g.metrics.iter().map(|m| m.max).sum();
            if sum != g.max {
                return Err(DefinitionError::GroupMax {
                    group: g.key.clone(),
                    max: g.max,
                    sum,
                });
            }
            for m in &g.metrics {
                if m.full_at.is_some_and(|x| x == 0 || x > 1000) {
                    return Err(DefinitionError::FullAt(m.code.clone()));
                }
                if let Some(other) = &m.times_ratio_of
                    && !seen.contains(other.as_str())
                {
                    return Err(DefinitionError::TimesRatioOf(m.code.clone()));
                }
                if !seen.insert(m.code.as_str()) {
                    return Err(DefinitionError::DuplicateMetric(m.code.clone()));
                }
            }
        }
        let n = def.ratings.len();
        let ok = n > 0
            && def.ratings[n - 1].min.is_none()
            && def.ratings[..n - 1]
                .windows(2)
                .all(|w| matches!((w[0].min, w[1].min), (Some(a), Some(b)) if a > b))
            && def.ratings[..n - 1].iter().all(|b| b.min.is_some());
        if !ok {
            return Err(DefinitionError::Bands);
        }
        TimeLimit::whole(
            def.parameters.petition_working_days,
            DurationUnit::WorkingDays,
        )
        .map_err(|_| DefinitionError::PetitionDays)?;
        Ok(def)
    }

    /// The shipped definition.
    pub fn default_766() -> Definition {
        // DEFAULT_JSON is compiled in and loaded by the test `shipped_definition_loads`,
        // so this cannot fail at run time.
        #[allow(clippy::expect_used)]
        Definition::from_json(DEFAULT_JSON).expect("shipped definition is valid (tested)")
    }

    pub fn metrics(&self) -> impl Iterator<Item = &Metric> {
        self.groups.iter().flat_map(|g| g.metrics.iter())
    }

    /// The label of the band a total (in hundredths) falls in.
    pub fn rating(&self, total_hundredths: i64) -> &str {
        self.ratings
            .iter()
            .find(|b| b.min.is_none_or(|m| total_hundredths >= m))
            .map_or("", |b| b.label.as_str())
    }

    /// Position of a label among the bands (0 = best), for "fell a band" warnings.
    pub fn band_index(&self, label: &str) -> Option<usize> {
        self.ratings.iter().position(|b| b.label == label)
    }

    pub fn petition_limit(&self) -> Option<TimeLimit> {
        TimeLimit::whole(
            self.parameters.petition_working_days,
            DurationUnit::WorkingDays,
        )
        .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_definition_loads() {
        let d = Definition::from_json(DEFAULT_JSON).unwrap();
        assert_eq!(d.version, "766-2026.2");
        assert_eq!(d.groups.iter().map(|g| g.max).sum::<u32>(), 100);
        assert_eq!(d.metrics().count(), 21);
        assert_eq!(d.rating(9000), "Xuất sắc");
        assert_eq!(d.rating(8999), "Tốt");
        assert_eq!(d.rating(6500), "Khá");
        assert_eq!(d.rating(4999), "Yếu");
        let od = d.metrics().find(|m| m.code == "ONLINE_DOSSIERS").unwrap();
        assert_eq!(od.full_at, Some(500));
    }

    #[test]
    fn every_outside_fact_feeds_a_metric_and_the_sync_feeds_two() {
        let d = Definition::from_json(DEFAULT_JSON).unwrap();
        let read: HashSet<Fact> = d
            .metrics()
            .flat_map(|m| m.kind.outside_facts().iter().copied())
            .collect();
        assert_eq!(read, Fact::ALL.into_iter().collect::<HashSet<_>>());
        let synced: Vec<&str> = d
            .metrics()
            .filter(|m| m.kind.outside_facts().contains(&Fact::Synced))
            .map(|m| m.code.as_str())
            .collect();
        assert_eq!(synced, ["DOSSIER_SYNC", "ONLINE_DOSSIERS"]);
    }

    #[test]
    fn refuses_unknown_kinds_and_bad_sums() {
        let bad = DEFAULT_JSON.replace("\"kind\": \"dossier_sync\"", "\"kind\": \"dossier_magic\"");
        let e = Definition::from_json(&bad).unwrap_err().to_string();
        assert!(e.contains("unknown variant `dossier_magic`"), "{e}");
        let bad = DEFAULT_JSON.replace("\"max\": 18,", "\"max\": 19,");
        assert!(matches!(
            Definition::from_json(&bad),
            Err(DefinitionError::GroupMax { .. })
        ));
        let bad = DEFAULT_JSON.replace(
            "{\"min\": null, \"label\": \"Yếu\"}",
            "{\"min\": 10, \"label\": \"Yếu\"}",
        );
        assert_eq!(
            Definition::from_json(&bad).unwrap_err(),
            DefinitionError::Bands
        );
    }
}
