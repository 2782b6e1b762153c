//! The dossier as a projection of its events, and the events themselves.

use super::code::DossierCode;
use super::files::FileRef;
use super::status::Status;
use crate::access::Role;
use crate::codes::{ProcedureCode, UnitCode};
use crate::procedure::{ApplicantKind, Channel};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who did something, in which role and unit: every event records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct By {
    pub account: String,
    pub role: Role,
    pub unit: Option<UnitCode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Satisfied,
    Unsatisfied,
}

/// What happened. The names of the bundle's `events[].kind` are kept where they overlap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    Created {
        procedure: ProcedureCode,
        procedure_version: i64,
        unit: UnitCode,
        applicant: String,
        applicant_kind: ApplicantKind,
        parent: Option<String>,
        /// The published e-form version the declaration follows, pinned at creation so a
        /// later version never changes what an open dossier is checked against. `None`: the
        /// built-in form (or none), as for every dossier created before e-forms had versions.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        eform_version: Option<i64>,
    },
    /// The draft's components were saved (the data lives beside the projection).
    FormSaved,
    Submitted {
        channel: Channel,
        helper: Option<String>,
    },
    Received {
        code: DossierCode,
        desk: UnitCode,
        due_at: DateTime<Utc>,
        process_version: i64,
    },
    /// Refused at reception (form 03); the bundle calls it `rejected`.
    Rejected {
        reason: String,
    },
    Forwarded {
        from_step: usize,
        to_step: usize,
        note: Option<String>,
    },
    SentBack {
        from_step: usize,
        to_step: usize,
        reason: String,
    },
    /// Handed to another competent unit, which starts the process from its first step;
    /// the code and the appointment stay.
    Transferred {
        from: UnitCode,
        to: UnitCode,
        reason: String,
    },
    /// One consolidated request (form 02); the clock stops.
    SupplementRequested {
        items: Vec<String>,
        reason: String,
    },
    /// The applicant supplied everything; the clock runs again and the due date moves.
    SupplementCompleted {
        due_at: DateTime<Utc>,
    },
    PaymentRequested {
        amount_vnd: u64,
    },
    PaymentCompleted {
        amount_vnd: u64,
    },
    /// Apology and extension (form 04), with the new date.
    Extended {
        due_at: DateTime<Utc>,
        reason: String,
    },
    /// A step handed part of the work to another unit.
    ChildRequested {
        step: usize,
        unit: UnitCode,
        procedure: ProcedureCode,
    },
    ChildFinished {
        child: String,
    },
    Stopped {
        reason: String,
    },
    Withdrawn {
        reason: Option<String>,
    },
    Completed {
        results: Vec<String>,
    },
    Returned {
        how: String,
    },
    Rated {
        rating: Rating,
        comment: Option<String>,
    },
    /// A file for a component: the applicant's upload or the desk's scan (`by` says which).
    ComponentFile {
        component: String,
        file: FileRef,
    },
    /// The desk saw the paper original of a component and did not digitise it.
    PaperSeen {
        component: String,
        reason: String,
    },
    /// A result document's file.
    ResultFile {
        file: FileRef,
    },
    /// History brought in from another system (`motcua import --bundle`): what its bundle
    /// line states that no other change carries. It follows `Received` (or `Submitted`).
    Imported {
        /// The source gave no appointment (a null `due_at`); the working one in
        /// `current_due_at` was computed from the procedure's time limit.
        appointment_unknown: bool,
        /// Fees owed beyond those its payment requests state.
        fee_vnd: u64,
        /// The parent dossier's code when the parent is not in this system.
        parent_code: Option<String>,
        facts: super::export::OutsideFacts,
    },
    /// An outside system confirmed a fact of the dossier (the national portal acknowledged
    /// it, a payment platform reported the fee paid, …). Recorded only on that system's
    /// word (`super::outside`); it changes no status, and an officer's command decided
    /// on the version before it still holds.
    Confirmed {
        fact: super::outside::Fact,
        /// What the outside system answered that identifies its confirmation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
}

impl Change {
    /// What the history shows of the change, in Vietnamese (forms, the national portal's
    /// progress rows, the pages' default language).
    pub fn label_vi(&self) -> &'static str {
        match self {
            Change::Created { .. } => "Tạo hồ sơ",
            Change::FormSaved => "Lưu thành phần hồ sơ",
            Change::Submitted { .. } => "Nộp hồ sơ",
            Change::Received { .. } => "Tiếp nhận hồ sơ, hẹn trả kết quả",
            Change::Rejected { .. } => "Từ chối tiếp nhận",
            Change::Forwarded { .. } => "Chuyển bước xử lý",
            Change::SentBack { .. } => "Trả lại bước trước",
            Change::Transferred { .. } => "Chuyển hồ sơ sang đơn vị khác",
            Change::SupplementRequested { .. } => "Yêu cầu bổ sung hồ sơ",
            Change::SupplementCompleted { .. } => "Đã bổ sung hồ sơ",
            Change::PaymentRequested { .. } => "Yêu cầu nộp phí, lệ phí",
            Change::PaymentCompleted { .. } => "Đã nộp phí, lệ phí",
            Change::Extended { .. } => "Xin lỗi và hẹn lại ngày trả kết quả",
            Change::ChildRequested { .. } => "Chuyển liên thông tới cơ quan khác",
            Change::ChildFinished { .. } => "Nhận kết quả liên thông",
            Change::Stopped { .. } => "Dừng xử lý",
            Change::Withdrawn { .. } => "Rút hồ sơ",
            Change::Completed { .. } => "Đã xử lý xong",
            Change::Returned { .. } => "Đã trả kết quả",
            Change::Rated { .. } => "Đánh giá mức độ hài lòng",
            Change::ComponentFile { .. } => "Đính kèm tệp thành phần hồ sơ",
            Change::PaperSeen { .. } => "Kiểm tra bản giấy, chưa số hóa",
            Change::ResultFile { .. } => "Đính kèm tệp văn bản kết quả",
            Change::Imported { .. } => "Nhập lịch sử hồ sơ từ hệ thống khác",
            Change::Confirmed { fact, .. } => fact.label_vi(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Change::Created { .. } => "created",
            Change::FormSaved => "form_saved",
            Change::Submitted { .. } => "submitted",
            Change::Received { .. } => "received",
            Change::Rejected { .. } => "rejected",
            Change::Forwarded { .. } => "forwarded",
            Change::SentBack { .. } => "sent_back",
            Change::Transferred { .. } => "transferred",
            Change::SupplementRequested { .. } => "supplement_requested",
            Change::SupplementCompleted { .. } => "supplement_completed",
            Change::PaymentRequested { .. } => "payment_requested",
            Change::PaymentCompleted { .. } => "payment_completed",
            Change::Extended { .. } => "extended",
            Change::ChildRequested { .. } => "child_requested",
            Change::ChildFinished { .. } => "child_finished",
            Change::Stopped { .. } => "stopped",
            Change::Withdrawn { .. } => "withdrawn",
            Change::Completed { .. } => "completed",
            Change::Returned { .. } => "returned",
            Change::Rated { .. } => "rated",
            Change::ComponentFile { .. } => "component_file",
            Change::PaperSeen { .. } => "paper_seen",
            Change::ResultFile { .. } => "result_file",
            Change::Imported { .. } => "imported",
            Change::Confirmed { .. } => "confirmed",
        }
    }
}

/// One appended event: the change, who, when, and the dossier version it produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub dossier: String,
    pub version: i64,
    pub at: DateTime<Utc>,
    pub by: By,
    pub change: Change,
}

/// The current state, rebuilt from the events by [`Dossier::apply`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dossier {
    pub id: String,
    pub version: i64,
    pub status: Status,
    pub procedure: ProcedureCode,
    pub procedure_version: i64,
    /// The e-form version pinned by the `created` event (see [`Change::Created`]).
    #[serde(default)]
    pub eform_version: Option<i64>,
    pub process_version: Option<i64>,
    /// The competent unit that handles it (the last one it was transferred to).
    pub unit: UnitCode,
    /// The desk that received it (may differ: reception anywhere in the province).
    pub desk: Option<UnitCode>,
    pub applicant: String,
    pub applicant_kind: ApplicantKind,
    pub helper: Option<String>,
    pub channel: Option<Channel>,
    pub parent: Option<String>,
    pub code: Option<DossierCode>,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub received_at: Option<DateTime<Utc>>,
    /// The appointment on the receipt; the 766 index judges against it.
    pub due_at: Option<DateTime<Utc>>,
    /// The appointment as it stands after clock stops and an extension.
    pub current_due_at: Option<DateTime<Utc>>,
    pub step: Option<usize>,
    pub supplement_requests: u32,
    pub clock_stopped_at: Option<DateTime<Utc>>,
    pub extensions: u32,
    pub fee_requested: u64,
    pub fee_paid: u64,
    /// A child dossier this one waits for.
    pub waiting_for_child: bool,
    pub finished_at: Option<DateTime<Utc>>,
    pub rating: Option<Rating>,
    /// Files attached to components (uploads and scans); 0 in states stored before files.
    #[serde(default)]
    pub component_files: u32,
    #[serde(default)]
    pub result_files: u32,
}

impl Dossier {
    /// The state after `e`. Events were decided against the state before them, so apply
    /// never refuses; it is a pure fold.
    pub fn apply(state: Option<Dossier>, e: &Event) -> Option<Dossier> {
        let mut d = match (&e.change, state) {
            (
                Change::Created {
                    procedure,
                    procedure_version,
                    unit,
                    applicant,
                    applicant_kind,
                    parent,
                    eform_version,
                },
                None,
            ) => Dossier {
                id: e.dossier.clone(),
                version: 0,
                status: Status::Draft,
                procedure: procedure.clone(),
                procedure_version: *procedure_version,
                eform_version: *eform_version,
                process_version: None,
                unit: unit.clone(),
                desk: None,
                applicant: applicant.clone(),
                applicant_kind: *applicant_kind,
                // Someone who creates a draft for another person (a community digital
                // helper) is its helper until it is submitted; only they and the applicant
                // may read and fill it in meanwhile.
                helper: (e.by.account != *applicant).then(|| e.by.account.clone()),
                channel: None,
                parent: parent.clone(),
                code: None,
                created_at: e.at,
                submitted_at: None,
                received_at: None,
                due_at: None,
                current_due_at: None,
                step: None,
                supplement_requests: 0,
                clock_stopped_at: None,
                extensions: 0,
                fee_requested: 0,
                fee_paid: 0,
                waiting_for_child: false,
                finished_at: None,
                rating: None,
                component_files: 0,
                result_files: 0,
            },
            (_, None) | (Change::Created { .. }, Some(_)) => return None,
            (_, Some(d)) => d,
        };
        d.version = e.version;
        match &e.change {
            Change::Created { .. } | Change::FormSaved => {}
            Change::Submitted { channel, helper } => {
                d.status = Status::Submitted;
                d.channel = Some(*channel);
                d.helper = helper.clone();
                d.submitted_at = Some(e.at);
            }
            Change::Received {
                code,
                desk,
                due_at,
                process_version,
            } => {
                d.status = Status::Received;
                d.code = Some(code.clone());
                d.desk = Some(desk.clone());
                d.received_at = Some(e.at);
                d.due_at = Some(*due_at);
                d.current_due_at = Some(*due_at);
                d.process_version = Some(*process_version);
                d.step = Some(0);
            }
            Change::Rejected { .. } => {
                d.status = Status::Refused;
                d.finished_at = Some(e.at);
            }
            Change::Forwarded { to_step, .. } | Change::SentBack { to_step, .. } => {
                d.status = Status::Processing;
                d.step = Some(*to_step);
            }
            Change::Transferred { to, .. } => {
                d.status = Status::Processing;
                d.unit = to.clone();
                d.step = Some(0);
            }
            Change::SupplementRequested { .. } => {
                d.status = Status::SupplementRequested;
                d.supplement_requests += 1;
                d.clock_stopped_at = Some(e.at);
            }
            Change::SupplementCompleted { due_at } => {
                d.status = Status::Processing;
                d.clock_stopped_at = None;
                d.current_due_at = Some(*due_at);
            }
            Change::PaymentRequested { amount_vnd } => {
                d.status = Status::PaymentRequested;
                // decide refuses a request past the limit; a stored history is replayed
                // as it is, and a replay must not panic.
                d.fee_requested = d.fee_requested.saturating_add(*amount_vnd);
            }
            Change::PaymentCompleted { amount_vnd } => {
                d.status = Status::Processing;
                d.fee_paid = d.fee_paid.saturating_add(*amount_vnd);
            }
            Change::Extended { due_at, .. } => {
                d.extensions += 1;
                d.current_due_at = Some(*due_at);
            }
            Change::ChildRequested { .. } => d.waiting_for_child = true,
            Change::ChildFinished { .. } => d.waiting_for_child = false,
            Change::Stopped { .. } => {
                d.status = Status::Stopped;
                d.finished_at = Some(e.at);
            }
            Change::Withdrawn { .. } => {
                d.status = Status::Withdrawn;
                d.finished_at = Some(e.at);
            }
            Change::Completed { .. } => {
                d.status = Status::Completed;
                d.finished_at = Some(e.at);
            }
            Change::Returned { .. } => {
                d.status = Status::Returned;
                d.finished_at.get_or_insert(e.at);
            }
            Change::Rated { rating, .. } => d.rating = Some(*rating),
            Change::ComponentFile { .. } => d.component_files += 1,
            Change::ResultFile { .. } => d.result_files += 1,
            Change::PaperSeen { .. } | Change::Confirmed { .. } => {}
            Change::Imported {
                appointment_unknown,
                fee_vnd,
                ..
            } => {
                if *appointment_unknown {
                    d.due_at = None;
                }
                d.fee_requested = d.fee_requested.saturating_add(*fee_vnd);
            }
        }
        // A stopped or withdrawn dossier's clock no longer runs, nor waits.
        if d.status != Status::SupplementRequested {
            d.clock_stopped_at = None;
        }
        Some(d)
    }

    /// Rebuilds a dossier from its whole history.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Option<Dossier> {
        events.into_iter().fold(None, Dossier::apply)
    }
}
