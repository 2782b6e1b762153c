//! The full recomputation: one pass over the dossiers and petitions of a bundle, adding each
//! one's counts to its own unit, then summing counts over each unit's scope (a parent's
//! ratio is its scope's counts divided, never an average of its children's).
//!
//! The pass is an [`Accumulator`]: counts per unit plus, per unit, the procedures that had a
//! dossier of some kind. Two accumulators merge by addition and union, so a caller may
//! split the input over threads.

use crate::catalogue::{Catalogue, ProcId, UnitId};
use crate::definition::{Definition, MetricKind};
use crate::facts::{Dossier, Petition, Weights, flag, w};
use crate::instant::{Instant, day_of_date, day_start};
use chrono::NaiveDate;
use motcua_calendar::Calendar;
use motcua_domain::unit::UnitKind;

/// A period: `from` ≤ `to`, inclusive civil dates at +07:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, String> {
        if from > to {
            return Err(format!("the period starts ({from}) after it ends ({to})"));
        }
        Ok(Period { from, to })
    }
    /// S: `from` at 00:00.
    pub fn start(&self) -> Instant {
        day_start(day_of_date(self.from))
    }
    /// E: the day after `to`, 00:00.
    pub fn end(&self) -> Instant {
        day_start(day_of_date(self.to) + 1)
    }
    pub fn contains_date(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

/// Which sets of procedures a unit's dossiers in R put a procedure in.
pub mod set {
    /// An online dossier (for ONLINE_SERVICES_USED, pairs with the dossier's unit).
    pub const ONLINE: usize = 0;
    /// `fee_due > 0` and `paid_online`.
    pub const PAID: usize = 1;
    /// `fee_due > 0`.
    pub const FEE: usize = 2;
    /// `citizen_data`.
    pub const CITIZEN: usize = 3;
    pub const LEN: usize = 4;
}

/// A set of procedures as a bit set (catalogues have a few thousand procedures at most).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcSet(Vec<u64>);

impl ProcSet {
    pub fn insert(&mut self, p: ProcId) {
        let (i, b) = (p as usize / 64, p % 64);
        if self.0.len() <= i {
            self.0.resize(i + 1, 0);
        }
        self.0[i] |= 1 << b;
    }
    pub fn contains(&self, p: ProcId) -> bool {
        self.0
            .get(p as usize / 64)
            .is_some_and(|w| w & (1 << (p % 64)) != 0)
    }
    pub fn union_with(&mut self, other: &ProcSet) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }
}

/// The procedure sets a dossier in R joins.
pub fn dossier_sets(d: &Dossier) -> [bool; set::LEN] {
    let fee = d.has(flag::FEE_DUE);
    [
        d.has(flag::ONLINE),
        fee && d.has(flag::PAID_ONLINE),
        fee,
        d.has(flag::CITIZEN_DATA),
    ]
}

/// One unit's own counts and procedure sets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitCounts {
    pub weights: Weights,
    pub sets: [ProcSet; set::LEN],
}

impl UnitCounts {
    pub fn merge(&mut self, other: &UnitCounts) {
        for (a, b) in self.weights.iter_mut().zip(other.weights) {
            *a += b;
        }
        for (a, b) in self.sets.iter_mut().zip(&other.sets) {
            a.union_with(b);
        }
    }
}

/// Counts per unit for one period, fed one dossier or petition at a time.
#[derive(Debug, Clone)]
pub struct Accumulator {
    s: Instant,
    e: Instant,
    pub units: Vec<UnitCounts>,
}

impl Accumulator {
    pub fn new(cat: &Catalogue, period: Period) -> Self {
        Accumulator {
            s: period.start(),
            e: period.end(),
            units: vec![UnitCounts::default(); cat.units.len()],
        }
    }

    pub fn add_dossier(&mut self, d: &Dossier) {
        if d.has(flag::CHILD) {
            return;
        }
        let u = &mut self.units[d.unit as usize];
        d.weights(self.s, self.e, &mut u.weights);
        if d.in_r(self.s, self.e) {
            for (i, yes) in dossier_sets(d).into_iter().enumerate() {
                if yes {
                    u.sets[i].insert(d.procedure);
                }
            }
        }
    }

    pub fn add_petition(&mut self, p: &Petition) {
        if p.in_period(self.s, self.e) {
            p.p_weights(self.e, &mut self.units[p.unit as usize].weights);
        }
    }

    pub fn merge(&mut self, other: &Accumulator) {
        for (a, b) in self.units.iter_mut().zip(&other.units) {
            a.merge(b);
        }
    }
}

/// Every count a metric of one unit scope is made of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub dossiers: Weights,
    pub online_services: i64,
    pub online_services_used: i64,
    pub fee_procedures: i64,
    pub fee_procedures_paid_online: i64,
    pub fee_procedures_with_fee: i64,
    pub citizen_procedures: i64,
    pub citizen_procedures_with_data: i64,
    pub procedures: i64,
    pub procedures_parts_full: i64,
    pub procedures_online: i64,
    pub published: i64,
    pub published_on_time: i64,
    pub public_update_on_time: i64,
    pub communes: i64,
    pub communes_e_copy: i64,
}

/// Per procedure, how its publications with a decision in the period fare.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicationFacts {
    pub published: bool,
    pub on_time: bool,
    pub update_on_time: bool,
}

pub fn publication_facts(
    cat: &Catalogue,
    cal: &Calendar,
    def: &Definition,
    period: Period,
) -> Vec<PublicationFacts> {
    let margin = def.parameters.publish_margin_working_days;
    let update = def.parameters.public_update_working_days;
    cat.procedures
        .iter()
        .map(|p| {
            let mut f = PublicationFacts {
                published: false,
                on_time: true,
                update_on_time: true,
            };
            for pb in p
                .publications
                .iter()
                .filter(|pb| period.contains_date(pb.decision_date))
            {
                f.published = true;
                f.on_time &=
                    pb.decision_date <= cal.sub_working_days(pb.legal_basis_effective_date, margin);
                f.update_on_time &= pb
                    .made_public_on
                    .is_some_and(|m| m <= cal.add_working_days(pb.decision_date, update));
            }
            f
        })
        .collect()
}

/// The figures of `root`'s scope from per-unit counts.
pub fn scope_figures(
    cat: &Catalogue,
    pubs: &[PublicationFacts],
    units: &[UnitCounts],
    root: UnitId,
) -> Figures {
    let scope = cat.scope(root);
    let mut in_scope = vec![false; cat.units.len()];
    let mut f = Figures::default();
    let mut sets: [ProcSet; set::LEN] = Default::default();
    for &u in scope {
        in_scope[u as usize] = true;
        let c = &units[u as usize];
        for (a, b) in f.dossiers.iter_mut().zip(c.weights) {
            *a += b;
        }
        for (a, b) in sets.iter_mut().zip(&c.sets) {
            a.union_with(b);
        }
        let info = cat.unit(u);
        if info.kind == UnitKind::Commune {
            f.communes += 1;
            f.communes_e_copy += i64::from(info.e_certified_copy);
        }
    }
    let n = |b: bool| i64::from(b);
    for (i, p) in cat.procedures.iter().enumerate() {
        let pid = i as ProcId;
        let scope_units = p.units.iter().filter(|&&u| in_scope[u as usize]);
        // Online services: pairs (procedure, unit in scope listed in its units).
        if p.online {
            for &u in scope_units.clone() {
                f.online_services += 1;
                f.online_services_used += n(units[u as usize].sets[set::ONLINE].contains(pid));
            }
        }
        if scope_units.clone().next().is_none() {
            continue;
        }
        f.procedures += 1;
        f.procedures_parts_full += n(p.parts_full);
        f.procedures_online += n(p.online);
        if p.has_fee {
            f.fee_procedures += 1;
            f.fee_procedures_paid_online += n(sets[set::PAID].contains(pid));
            f.fee_procedures_with_fee += n(sets[set::FEE].contains(pid));
        }
        if p.citizen_applicant {
            f.citizen_procedures += 1;
            f.citizen_procedures_with_data += n(sets[set::CITIZEN].contains(pid));
        }
        let pb = pubs.get(i).copied().unwrap_or_default();
        if pb.published {
            f.published += 1;
            f.published_on_time += n(pb.on_time);
            f.public_update_on_time += n(pb.update_on_time);
        }
    }
    f
}

/// Numerator and denominator of a metric kind.
pub fn ratio_parts(kind: MetricKind, f: &Figures) -> (i64, i64) {
    use MetricKind as K;
    let d = &f.dossiers;
    match kind {
        K::PublishOnTime => (f.published_on_time, f.published),
        K::PublicUpdateOnTime => (f.public_update_on_time, f.published),
        K::PublicContentFull => (f.procedures_parts_full, f.procedures),
        K::DossierSync => (d[w::R_SYNCED], d[w::R]),
        K::ProgressOnTime => (d[w::D_ON_TIME], d[w::D]),
        K::OnlineProcedures => (f.procedures_online, f.procedures),
        K::OnlineServicesUsed => (f.online_services_used, f.online_services),
        K::OnlineDossiers => (d[w::R_ONLINE_COUNTED], d[w::R]),
        K::PaymentDossiers => (d[w::R_FEE_PAID_ONLINE], d[w::R_FEE_DUE]),
        K::PaymentProceduresUsed => (f.fee_procedures_paid_online, f.fee_procedures),
        K::PaymentProceduresFeeData => (f.fee_procedures_with_fee, f.fee_procedures),
        K::PetitionProcessingOnTime => (d[w::P_ON_TIME], d[w::P]),
        K::PetitionHandlingSatisfaction => (d[w::P_OK], d[w::P]),
        K::DossierReceivingSatisfaction => (d[w::D] - d[w::D_BAD], d[w::D]),
        K::OriginalResultAvailable => (d[w::ORIG_FILE], d[w::ORIG]),
        K::SoHoaGiayToGiaiQuyet => (d[w::R_SO_HOA], d[w::R]),
        K::ElectronicCertifiedCopy => (f.communes_e_copy, f.communes),
        K::ReusedDigitizedData => (d[w::R_REUSED], d[w::R]),
        K::SyncedWithDvcqgPersonalStorage => (d[w::R_DATA_STORE], d[w::R]),
        K::CitizenDataConnectedDossier => (d[w::R_CITIZEN_DATA], d[w::R_CITIZEN_PROC]),
        K::CitizenDataConnectedFormality => (f.citizen_procedures_with_data, f.citizen_procedures),
    }
}

/// Figures of every unit's scope, in catalogue order.
pub fn all_figures(
    cat: &Catalogue,
    cal: &Calendar,
    def: &Definition,
    period: Period,
    acc: &Accumulator,
) -> Vec<Figures> {
    let pubs = publication_facts(cat, cal, def, period);
    (0..cat.units.len())
        .map(|u| scope_figures(cat, &pubs, &acc.units, u as UnitId))
        .collect()
}
