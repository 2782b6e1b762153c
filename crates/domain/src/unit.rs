//! The unit tree (cơ quan, đơn vị) and its history.
//!
//! Since 1/7/2025 Vietnam has no district level, but the tree allows any depth because
//! mergers keep happening. A merged or renamed unit stays findable under its old code and
//! name: a dossier keeps the unit it was handled by, and reports map old units to their
//! successor.

use crate::codes::UnitCode;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Province,
    Department,
    Commune,
    ServiceCentre,
    Other,
}

impl UnitKind {
    pub const ALL: [UnitKind; 5] = [
        UnitKind::Province,
        UnitKind::Department,
        UnitKind::Commune,
        UnitKind::ServiceCentre,
        UnitKind::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Province => "province",
            UnitKind::Department => "department",
            UnitKind::Commune => "commune",
            UnitKind::ServiceCentre => "service_centre",
            UnitKind::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// Vietnamese label for pages.
    pub fn label_vi(self) -> &'static str {
        match self {
            UnitKind::Province => "UBND cấp tỉnh",
            UnitKind::Department => "Sở, ban, ngành",
            UnitKind::Commune => "Xã, phường, đặc khu",
            UnitKind::ServiceCentre => "Trung tâm Phục vụ hành chính công",
            UnitKind::Other => "Cơ quan khác",
        }
    }
}

/// One unit as the catalogue and the bundle see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub code: UnitCode,
    pub name: String,
    pub kind: UnitKind,
    pub parent: Option<UnitCode>,
    pub e_certified_copy: bool,
    /// Set when the unit was merged into another; the unit is then inactive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor: Option<UnitCode>,
}

impl Unit {
    pub fn active(&self) -> bool {
        self.successor.is_none()
    }
}

/// A recorded change of a unit: what it was called and which unit took it over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum UnitChange {
    Renamed {
        code: UnitCode,
        old_name: String,
        new_name: String,
    },
    Merged {
        code: UnitCode,
        into: UnitCode,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    #[error("unit {0} does not exist")]
    Unknown(UnitCode),
    #[error("unit {0} was already merged into {1}")]
    AlreadyMerged(UnitCode, UnitCode),
    #[error("a unit cannot be merged into itself or one of its own sub-units")]
    MergeIntoOwnSubtree,
    #[error("the root unit cannot be merged")]
    MergeRoot,
    #[error("the new name is empty or unchanged")]
    NameUnchanged,
    #[error("parent {parent} of unit {code} does not exist")]
    MissingParent { code: UnitCode, parent: UnitCode },
    #[error("unit {0} is its own ancestor")]
    Cycle(UnitCode),
}

/// The whole tree, for scope questions ("is this unit inside that one?").
#[derive(Debug, Clone, Default)]
pub struct UnitTree {
    units: BTreeMap<UnitCode, Unit>,
    children: HashMap<UnitCode, Vec<UnitCode>>,
}

impl UnitTree {
    /// Builds the tree, refusing absent parents and cycles.
    pub fn new(units: impl IntoIterator<Item = Unit>) -> Result<Self, UnitError> {
        let units: BTreeMap<UnitCode, Unit> =
            units.into_iter().map(|u| (u.code.clone(), u)).collect();
        let mut children: HashMap<UnitCode, Vec<UnitCode>> = HashMap::new();
        for u in units.values() {
            if let Some(p) = &u.parent {
                if !units.contains_key(p) {
                    return Err(UnitError::MissingParent {
                        code: u.code.clone(),
                        parent: p.clone(),
                    });
                }
                children.entry(p.clone()).or_default().push(u.code.clone());
            }
        }
        let tree = Self { units, children };
        for code in tree.units.keys() {
            let mut seen = 0usize;
            let mut cur = tree.units.get(code).and_then(|u| u.parent.clone());
            while let Some(p) = cur {
                seen += 1;
                if &p == code || seen > tree.units.len() {
                    return Err(UnitError::Cycle(code.clone()));
                }
                cur = tree.units.get(&p).and_then(|u| u.parent.clone());
            }
        }
        Ok(tree)
    }

    pub fn get(&self, code: &UnitCode) -> Option<&Unit> {
        self.units.get(code)
    }
    pub fn len(&self) -> usize {
        self.units.len()
    }
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &Unit> {
        self.units.values()
    }

    /// True iff `unit` is `ancestor` or lies below it.
    pub fn is_within(&self, unit: &UnitCode, ancestor: &UnitCode) -> bool {
        let mut cur = Some(unit);
        let mut steps = 0;
        while let Some(c) = cur {
            if c == ancestor {
                return true;
            }
            steps += 1;
            if steps > self.units.len() {
                return false;
            }
            cur = self.units.get(c).and_then(|u| u.parent.as_ref());
        }
        false
    }

    /// The unit and all its descendants, in code order.
    pub fn scope(&self, root: &UnitCode) -> Vec<UnitCode> {
        let mut out = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(c) = stack.pop() {
            if !self.units.contains_key(&c) {
                continue;
            }
            if let Some(kids) = self.children.get(&c) {
                stack.extend(kids.iter().cloned());
            }
            out.push(c);
        }
        out.sort();
        out
    }

    /// Follows merges to the unit that carries a code's work today.
    pub fn current(&self, code: &UnitCode) -> Option<&Unit> {
        let mut u = self.units.get(code)?;
        for _ in 0..=self.units.len() {
            match &u.successor {
                None => return Some(u),
                Some(s) => u = self.units.get(s)?,
            }
        }
        None
    }

    /// Decides a rename: the code stays, the old name goes into history.
    pub fn rename(&self, code: &UnitCode, new_name: &str) -> Result<UnitChange, UnitError> {
        let u = self
            .units
            .get(code)
            .ok_or_else(|| UnitError::Unknown(code.clone()))?;
        let new_name = crate::text::nfc(new_name);
        if new_name.is_empty() || new_name == u.name {
            return Err(UnitError::NameUnchanged);
        }
        Ok(UnitChange::Renamed {
            code: code.clone(),
            old_name: u.name.clone(),
            new_name,
        })
    }

    /// Decides a merge of `code` into `into`: `code` becomes inactive with `into` as its
    /// successor; its sub-units move under `into`.
    pub fn merge(&self, code: &UnitCode, into: &UnitCode) -> Result<UnitChange, UnitError> {
        let u = self
            .units
            .get(code)
            .ok_or_else(|| UnitError::Unknown(code.clone()))?;
        let target = self
            .units
            .get(into)
            .ok_or_else(|| UnitError::Unknown(into.clone()))?;
        if let Some(s) = &u.successor {
            return Err(UnitError::AlreadyMerged(code.clone(), s.clone()));
        }
        if let Some(s) = &target.successor {
            return Err(UnitError::AlreadyMerged(into.clone(), s.clone()));
        }
        if u.parent.is_none() {
            return Err(UnitError::MergeRoot);
        }
        if self.is_within(into, code) {
            return Err(UnitError::MergeIntoOwnSubtree);
        }
        Ok(UnitChange::Merged {
            code: code.clone(),
            into: into.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn unit(code: &str, parent: Option<&str>) -> Unit {
        Unit {
            code: UnitCode::parse(code).unwrap(),
            name: format!("Đơn vị {code}"),
            kind: UnitKind::Other,
            parent: parent.map(|p| UnitCode::parse(p).unwrap()),
            e_certified_copy: false,
            successor: None,
        }
    }
    fn c(s: &str) -> UnitCode {
        UnitCode::parse(s).unwrap()
    }

    fn tree() -> UnitTree {
        UnitTree::new([
            unit("000.00.00.H57", None),
            unit("000.00.31.H57", Some("000.00.00.H57")),
            unit("000.01.31.H57", Some("000.00.31.H57")),
            unit("000.01.99.H57", Some("000.00.00.H57")),
        ])
        .unwrap()
    }

    #[test]
    fn scope_and_within() {
        let t = tree();
        assert!(t.is_within(&c("000.01.31.H57"), &c("000.00.00.H57")));
        assert!(!t.is_within(&c("000.00.31.H57"), &c("000.01.31.H57")));
        assert_eq!(t.scope(&c("000.00.31.H57")).len(), 2);
        assert_eq!(t.scope(&c("000.00.00.H57")).len(), 4);
    }

    #[test]
    fn refuses_missing_parent_and_cycles() {
        assert!(matches!(
            UnitTree::new([unit("000.00.31.H57", Some("000.00.00.H57"))]),
            Err(UnitError::MissingParent { .. })
        ));
        assert!(matches!(
            UnitTree::new([
                unit("000.00.31.H57", Some("000.00.32.H57")),
                unit("000.00.32.H57", Some("000.00.31.H57")),
            ]),
            Err(UnitError::Cycle(_))
        ));
    }

    #[test]
    fn merge_rules() {
        let t = tree();
        assert_eq!(
            t.merge(&c("000.00.31.H57"), &c("000.01.31.H57")),
            Err(UnitError::MergeIntoOwnSubtree)
        );
        assert_eq!(
            t.merge(&c("000.00.00.H57"), &c("000.01.99.H57")),
            Err(UnitError::MergeRoot)
        );
        assert!(t.merge(&c("000.01.99.H57"), &c("000.00.31.H57")).is_ok());
    }

    #[test]
    fn current_follows_successors() {
        let mut a = unit("000.01.99.H57", Some("000.00.00.H57"));
        a.successor = Some(c("000.00.31.H57"));
        let t = UnitTree::new([
            unit("000.00.00.H57", None),
            unit("000.00.31.H57", Some("000.00.00.H57")),
            a,
        ])
        .unwrap();
        assert_eq!(
            t.current(&c("000.01.99.H57")).unwrap().code,
            c("000.00.31.H57")
        );
    }

    #[test]
    fn rename_needs_a_new_name() {
        let t = tree();
        assert_eq!(
            t.rename(&c("000.00.31.H57"), "Đơn vị 000.00.31.H57"),
            Err(UnitError::NameUnchanged)
        );
        assert!(t.rename(&c("000.00.31.H57"), "Sở Tư pháp").is_ok());
    }
}
