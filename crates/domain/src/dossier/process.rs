//! Process definitions (quy trình số): one per procedure, versioned, shared by every unit
//! that handles the procedure. A step names a role and a unit *relative* to the dossier's
//! competent unit, its share of the time limit, and what may be done from it.

use crate::access::Role;
use crate::codes::{ProcedureCode, UnitCode};
use crate::unit::UnitTree;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepUnit {
    /// The dossier's competent unit.
    Competent,
    /// The competent unit's parent (e.g. the province for a department's proposal).
    Parent,
    /// A fixed unit (inter-agency steps).
    Named { unit: UnitCode },
}

impl StepUnit {
    /// The actual unit for a dossier handled by `competent`.
    pub fn resolve(&self, competent: &UnitCode, tree: &UnitTree) -> Option<UnitCode> {
        match self {
            StepUnit::Competent => Some(competent.clone()),
            StepUnit::Parent => tree.get(competent)?.parent.clone(),
            StepUnit::Named { unit } => Some(unit.clone()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepAction {
    Forward,
    SendBack,
    RequestSupplement,
    RequestPayment,
    Extend,
    Stop,
    Complete,
    /// Hands the dossier to another competent unit of the procedure (chuyển hồ sơ sang đơn
    /// vị khác), which starts its process from the first step.
    Transfer,
}

/// A step that hands part of the work to another unit as a child dossier. The unit is
/// relative like a step's: the commune police of the same commune is `competent`, a
/// provincial office is `named`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterAgency {
    pub unit: StepUnit,
    pub procedure: ProcedureCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub name: String,
    pub role: Role,
    pub unit: StepUnit,
    /// Working hours of the time limit this step may use.
    pub hours: u32,
    pub actions: Vec<StepAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inter_agency: Option<InterAgency>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    pub procedure: ProcedureCode,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProcessError {
    #[error("a process needs at least one step")]
    NoSteps,
    #[error("step {0}: name is empty")]
    EmptyName(usize),
    #[error("step {0}: no action is allowed")]
    NoActions(usize),
    #[error("the last step must allow complete")]
    LastCannotComplete,
    #[error("step {0}: only the last step may complete")]
    CompleteBeforeLast(usize),
    #[error("step {0}: forward from the last step goes nowhere")]
    ForwardFromLast(usize),
    #[error("step {0}: send back from the first step goes nowhere")]
    SendBackFromFirst(usize),
    #[error("step {0}: unit {1} does not exist")]
    UnknownUnit(usize, UnitCode),
    #[error("step {0}: an inter-agency step must forward when the other unit is done")]
    InterAgencyWithoutForward(usize),
}

impl Process {
    /// Refuses a definition that could strand a dossier; run before publishing.
    pub fn check(&self, tree: &UnitTree) -> Result<(), ProcessError> {
        let n = self.steps.len();
        if n == 0 {
            return Err(ProcessError::NoSteps);
        }
        for (i, s) in self.steps.iter().enumerate() {
            if s.name.trim().is_empty() {
                return Err(ProcessError::EmptyName(i));
            }
            if s.actions.is_empty() {
                return Err(ProcessError::NoActions(i));
            }
            let has = |a| s.actions.contains(&a);
            if has(StepAction::Complete) && i + 1 < n {
                return Err(ProcessError::CompleteBeforeLast(i));
            }
            if has(StepAction::Forward) && i + 1 == n {
                return Err(ProcessError::ForwardFromLast(i));
            }
            if has(StepAction::SendBack) && i == 0 {
                return Err(ProcessError::SendBackFromFirst(i));
            }
            for u in [
                match &s.unit {
                    StepUnit::Named { unit } => Some(unit),
                    _ => None,
                },
                s.inter_agency.as_ref().and_then(|x| match &x.unit {
                    StepUnit::Named { unit } => Some(unit),
                    _ => None,
                }),
            ]
            .into_iter()
            .flatten()
            {
                if tree.get(u).is_none() {
                    return Err(ProcessError::UnknownUnit(i, u.clone()));
                }
            }
            if s.inter_agency.is_some() && !has(StepAction::Forward) {
                return Err(ProcessError::InterAgencyWithoutForward(i));
            }
        }
        if !self.steps[n - 1].actions.contains(&StepAction::Complete) {
            return Err(ProcessError::LastCannotComplete);
        }
        Ok(())
    }

    /// The unit that works step `i` of a dossier handled by `competent`.
    pub fn step_unit(&self, i: usize, competent: &UnitCode, tree: &UnitTree) -> Option<UnitCode> {
        self.steps.get(i)?.unit.resolve(competent, tree)
    }

    /// The usual one-stop process where a procedure has no definition of its own yet:
    /// a specialist examines, a leader signs.
    pub fn standard(procedure: ProcedureCode) -> Self {
        use StepAction::*;
        Self {
            procedure,
            steps: vec![
                Step {
                    name: "Thẩm định hồ sơ".into(),
                    role: Role::Specialist,
                    unit: StepUnit::Competent,
                    hours: 0,
                    // The examination is where a dossier turns out to belong elsewhere.
                    actions: vec![
                        Forward,
                        RequestSupplement,
                        RequestPayment,
                        Extend,
                        Stop,
                        Transfer,
                    ],
                    inter_agency: None,
                },
                Step {
                    name: "Phê duyệt, ký kết quả".into(),
                    role: Role::Leader,
                    unit: StepUnit::Competent,
                    hours: 0,
                    actions: vec![Complete, SendBack, Extend, Stop],
                    inter_agency: None,
                },
            ],
        }
    }
}
