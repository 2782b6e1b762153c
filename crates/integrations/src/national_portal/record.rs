//! A dossier as the portal's record and progress rows, from what motcua holds of it
//! (`motcua_app::national_portal::SyncView`). Pure: the same view gives the same JSON.
//!
//! A status is sent only when it is true: `TrangThaiHoSo` is the dossier's own status as
//! it stands (`Status::national_code`), so a dossier waiting for a supplement is 5 and one
//! waiting for a fee 6, never 9; the flags for digitised components, a VNeID-verified
//! account and an online payment are set only from what the history establishes.

use super::protocol::*;
use motcua_app::national_portal::SyncView;
use motcua_domain::dossier::outside::facts;
use motcua_domain::dossier::{Change, Dossier, Event, Status};
use motcua_domain::procedure::{ApplicantKind, Channel};
use motcua_store::files::Purpose;

fn flag(b: bool) -> String {
    if b { "1" } else { "0" }.to_owned()
}

fn channel_code(c: Channel) -> &'static str {
    match c {
        Channel::Direct => "1",
        Channel::Online => "2",
        Channel::Postal => "3",
    }
}

/// A household business files as a business does: it is registered with the business
/// registry, not as a citizen's own matter.
fn applicant_code(k: ApplicantKind) -> &'static str {
    match k {
        ApplicantKind::Citizen => "1",
        ApplicantKind::Business | ApplicantKind::HouseholdBusiness => "2",
    }
}

fn status_code(d: &Dossier) -> String {
    d.status.national_code().unwrap_or(1).to_string()
}

/// The version of the last change of motcua's own work: a confirmation does not change
/// the record the portal holds.
pub fn record_version(events: &[Event]) -> i64 {
    events
        .iter()
        .filter(|e| !matches!(e.change, Change::Confirmed { .. }))
        .map(|e| e.version)
        .max()
        .unwrap_or(0)
}

fn at_of(events: &[Event], pick: impl Fn(&Change) -> bool) -> Option<String> {
    events
        .iter()
        .rev()
        .find(|e| pick(&e.change))
        .map(|e| portal_date(e.at))
}

fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The dossier's record (`HoSoDongBoDVC`).
pub fn build(v: &SyncView) -> HoSo {
    let d = &v.dossier;
    let f = facts(&v.events);
    let channel = d.channel.unwrap_or(Channel::Online);
    let summary = match &v.applicant_name {
        Some(name) => format!("{} — {}", v.procedure.name, name),
        None => v.procedure.name.clone(),
    };
    let received = !matches!(
        d.status,
        Status::Submitted | Status::Refused | Status::Draft
    ) && d.received_at.is_some();
    HoSo {
        MaHoSo: v.state.ma_ho_so.clone(),
        MaTTHC: d.procedure.to_string(),
        TenTTHC: v.procedure.name.clone(),
        // The catalogue names the field but does not carry the national field code.
        MaLinhVuc: None,
        KenhThucHien: channel_code(channel).to_owned(),
        LoaiDoiTuong: applicant_code(d.applicant_kind).to_owned(),
        MaDoiTuong: None,
        ChuHoSo: v.applicant_name.clone(),
        SoGiayToChuHoSo: v.applicant_cccd.clone(),
        DinhDanhCHS: v
            .applicant_cccd
            .iter()
            .map(|c| DinhDanh {
                LoaiDinhDanh: "1".into(),
                SoDinhDanh: c.clone(),
            })
            .collect(),
        TrichYeuHoSo: cut(&summary, SUMMARY_MAX),
        NgayNopHoSo: portal_date(d.submitted_at.unwrap_or(d.created_at)),
        NgayTiepNhan: d.received_at.filter(|_| received).map(portal_date),
        NgayHenTra: d
            .current_due_at
            .or(d.due_at)
            .filter(|_| received)
            .map(portal_date),
        NgayTra: (d.status == Status::Returned)
            .then(|| at_of(&v.events, |c| matches!(c, Change::Returned { .. })))
            .flatten(),
        NgayKetThucXuLy: matches!(d.status, Status::Completed | Status::Returned)
            .then(|| at_of(&v.events, |c| matches!(c, Change::Completed { .. })))
            .flatten(),
        NgayTuChoi: (d.status == Status::Refused)
            .then(|| at_of(&v.events, |c| matches!(c, Change::Rejected { .. })))
            .flatten(),
        TrangThaiHoSo: status_code(d),
        HinhThuc: Some(if channel == Channel::Postal { "1" } else { "0" }.to_owned()),
        DonViXuLy: v.unit_name.clone(),
        NoiNopHoSo: if channel == Channel::Online { "2" } else { "1" }.to_owned(),
        HoSoCoThanhPhanSoHoa: flag(d.component_files > 0 || f.component_files),
        TaiKhoanDuocXacThucVoiVNeID: flag(f.citizen_data),
        DuocThanhToanTrucTuyen: flag(f.paid_online),
        TaiLieuNop: v
            .files
            .iter()
            .filter(|x| x.purpose == Purpose::Component)
            .map(|x| TaiLieu {
                TepDinhKemId: x.id.clone(),
                TenTepDinhKem: x.name.clone(),
                MaThanhPhanHoSo: x.component.clone(),
            })
            .collect(),
        DanhSachLePhi: fees(v),
        DanhSachHoSoBoSung: supplements(v),
        DanhSachGiayToKetQua: results(v),
    }
}

fn fees(v: &SyncView) -> Vec<LePhi> {
    let name = match v.procedure.fees.as_slice() {
        [one] => one.name.clone(),
        _ => "Phí, lệ phí".to_owned(),
    };
    v.events
        .iter()
        .filter_map(|e| match e.change {
            Change::PaymentRequested { amount_vnd } => Some(LePhi {
                TenPhiLePhi: name.clone(),
                Gia: amount_vnd,
            }),
            _ => None,
        })
        .collect()
}

/// Each supplement request with when it was answered and how the appointment moved.
fn supplements(v: &SyncView) -> Vec<BoSung> {
    let mut out: Vec<BoSung> = Vec::new();
    let mut due = None;
    for e in &v.events {
        match &e.change {
            Change::Received { due_at, .. } => due = Some(*due_at),
            Change::Extended { due_at, .. } => due = Some(*due_at),
            Change::SupplementRequested { items, reason } => out.push(BoSung {
                HoSoBoSungId: format!("{}-{}", v.state.ma_ho_so, e.version),
                NoiDungBoSung: cut(&format!("{reason}: {}", items.join("; ")), SUMMARY_MAX),
                NgayBoSung: portal_date(e.at),
                NgayTiepNhanBoSung: None,
                NgayHenTraTruoc: due.map(portal_date),
                NgayHenTraMoi: None,
            }),
            Change::SupplementCompleted { due_at } => {
                if let Some(last) = out.last_mut() {
                    last.NgayTiepNhanBoSung = Some(portal_date(e.at));
                    last.NgayHenTraMoi = Some(portal_date(*due_at));
                }
                due = Some(*due_at);
            }
            _ => {}
        }
    }
    out
}

fn results(v: &SyncView) -> Vec<KetQua> {
    let files: Vec<KetQua> = v
        .files
        .iter()
        .filter(|x| x.purpose == Purpose::Result)
        .map(|x| KetQua {
            TenGiayTo: x.name.clone(),
            GiayToId: Some(x.id.clone()),
        })
        .collect();
    if !files.is_empty() {
        return files;
    }
    v.events
        .iter()
        .filter_map(|e| match &e.change {
            Change::Completed { results } => Some(results.iter().map(|r| KetQua {
                TenGiayTo: r.clone(),
                GiayToId: None,
            })),
            _ => None,
        })
        .flatten()
        .collect()
}

/// Whether a change is a step of the handling the portal shows as progress. Saving a form,
/// attaching a file or a confirmation is not.
fn is_progress(c: &Change) -> bool {
    !matches!(
        c,
        Change::Created { .. }
            | Change::FormSaved
            | Change::ComponentFile { .. }
            | Change::PaperSeen { .. }
            | Change::ResultFile { .. }
            | Change::Rated { .. }
            | Change::Imported { .. }
            | Change::Confirmed { .. }
    )
}

/// The progress rows of the events after version `after`, each with its event's version,
/// in order. `TrangThai` is the status the event left the dossier in.
pub fn progress(v: &SyncView, after: i64) -> Vec<(i64, TienDo)> {
    let mut state: Option<Dossier> = None;
    let mut out = Vec::new();
    for e in &v.events {
        state = Dossier::apply(state, e);
        let Some(d) = &state else { continue };
        if e.version <= after || !is_progress(&e.change) {
            continue;
        }
        let note = match &e.change {
            Change::Rejected { reason }
            | Change::SentBack { reason, .. }
            | Change::Transferred { reason, .. }
            | Change::Stopped { reason }
            | Change::Extended { reason, .. } => Some(reason.clone()),
            Change::SupplementRequested { reason, .. } => Some(reason.clone()),
            Change::Forwarded { note, .. } => note.clone(),
            Change::Withdrawn { reason } => reason.clone(),
            _ => None,
        };
        let content = match note {
            Some(n) if !n.trim().is_empty() => format!("{}: {n}", e.change.label_vi()),
            _ => e.change.label_vi().to_owned(),
        };
        out.push((
            e.version,
            TienDo {
                MaHoSo: v.state.ma_ho_so.clone(),
                NguoiXuLy: v
                    .people
                    .get(&e.by.account)
                    .cloned()
                    .unwrap_or_else(|| e.by.account.clone()),
                ChucDanh: Some(e.by.role.label_vi().to_owned()),
                ThoiDiemXuLy: portal_date(e.at),
                PhongBanXuLy: e
                    .by
                    .unit
                    .as_ref()
                    .and_then(|u| v.units.get(u.as_str()).cloned()),
                NoiDungXuLy: cut(&content, SUMMARY_MAX),
                TrangThai: status_code(d),
                NgayBatDau: Some(portal_date(e.at)),
                NgayKetThucTheoQuyDinh: d.current_due_at.map(portal_date),
            },
        ));
    }
    out
}
