//! How much one dossier, and one applicant, may hold: the declaration's size and nesting,
//! the drafts left open, the files attached and their bytes, and the length of what
//! officers type (reasons, notes, the items of a supplement request).
//!
//! Without these a single account can fill the database with megabytes of junk per draft
//! and thousands of drafts. The numbers are settings (`Limits`, with the defaults below);
//! the checks are pure and run before anything is written, so a refusal costs nothing.

use super::decide::Command;
use super::files::Digitisation;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The limits in force. `Default` gives the ones the service runs with unless configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// The declaration (`form_data`) as compact JSON, in bytes.
    pub form_data_bytes: usize,
    /// How deeply objects and lists may nest in the declaration (the built-in forms need
    /// three: a list of groups of fields).
    pub form_data_depth: usize,
    /// Drafts one applicant may hold at once (a draft is left behind by a started,
    /// never submitted application).
    pub open_drafts: usize,
    /// Files attached to one dossier (components, scans and results together).
    pub files: usize,
    /// Their bytes together.
    pub file_bytes: u64,
    /// Characters in one free-text field of a command (a reason, a note, one item).
    pub text_chars: usize,
    /// Entries in a list of a command (supplement items, result documents).
    pub list_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            form_data_bytes: 256 * 1024,
            form_data_depth: 16,
            open_drafts: 50,
            files: 50,
            file_bytes: 200 * 1024 * 1024,
            text_chars: 2000,
            list_items: 50,
        }
    }
}

/// A limit passed, with the field it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("form_data must be a JSON object")]
    FormDataNotObject,
    #[error("form_data is larger than {max_bytes} bytes")]
    FormDataTooLarge { max_bytes: usize },
    #[error("form_data nests deeper than {max_depth} levels")]
    FormDataTooDeep { max_depth: usize },
    #[error("the applicant already holds {max} open drafts")]
    TooManyDrafts { max: usize },
    #[error("the dossier would hold more than {max} files")]
    TooManyFiles { max: usize },
    #[error("the dossier's files would pass {max_bytes} bytes together")]
    FilesTooLarge { max_bytes: u64 },
    #[error("{field} is longer than {max_chars} characters")]
    TextTooLong { field: String, max_chars: usize },
    #[error("{field} has more than {max} entries")]
    TooManyItems { field: String, max: usize },
}

impl LimitError {
    /// The request field it is about (`form_data`, `reason`, `items[2]`, `file`…).
    pub fn field(&self) -> String {
        match self {
            LimitError::FormDataNotObject
            | LimitError::FormDataTooLarge { .. }
            | LimitError::FormDataTooDeep { .. } => "form_data".into(),
            LimitError::TooManyDrafts { .. } => "procedure".into(),
            LimitError::TooManyFiles { .. } | LimitError::FilesTooLarge { .. } => "file".into(),
            LimitError::TextTooLong { field, .. } | LimitError::TooManyItems { field, .. } => {
                field.clone()
            }
        }
    }

    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            LimitError::FormDataNotObject => "invalid_type",
            LimitError::FormDataTooLarge { .. } => "form_data_too_large",
            LimitError::FormDataTooDeep { .. } => "form_data_too_deep",
            LimitError::TooManyDrafts { .. } => "too_many_drafts",
            LimitError::TooManyFiles { .. } => "too_many_files",
            LimitError::FilesTooLarge { .. } => "dossier_files_too_large",
            LimitError::TextTooLong { .. } => "text_too_long",
            LimitError::TooManyItems { .. } => "too_many_items",
        }
    }

    /// Whether it is about the size of what was sent (413) rather than its content (422).
    pub fn too_large(&self) -> bool {
        matches!(
            self,
            LimitError::FormDataTooLarge { .. }
                | LimitError::TooManyFiles { .. }
                | LimitError::FilesTooLarge { .. }
        )
    }
}

/// Counts bytes without keeping them.
struct Count(usize);

impl std::io::Write for Count {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The deepest nesting of objects and lists (a scalar is 0, `{}` is 1), without recursion.
fn depth(v: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, d)) = stack.pop() {
        match v {
            Value::Object(m) => {
                deepest = deepest.max(d + 1);
                stack.extend(m.values().map(|c| (c, d + 1)));
            }
            Value::Array(a) => {
                deepest = deepest.max(d + 1);
                stack.extend(a.iter().map(|c| (c, d + 1)));
            }
            _ => {}
        }
    }
    deepest
}

impl Limits {
    /// A declaration as sent: a JSON object, not too deep, not too large.
    pub fn form_data(&self, v: &Value) -> Result<(), LimitError> {
        if !v.is_object() {
            return Err(LimitError::FormDataNotObject);
        }
        if depth(v) > self.form_data_depth {
            return Err(LimitError::FormDataTooDeep {
                max_depth: self.form_data_depth,
            });
        }
        let mut n = Count(0);
        // Writing a Value into a counter fails on no input.
        let _ = serde_json::to_writer(&mut n, v);
        if n.0 > self.form_data_bytes {
            return Err(LimitError::FormDataTooLarge {
                max_bytes: self.form_data_bytes,
            });
        }
        Ok(())
    }

    /// Whether an applicant holding `held` open drafts may start another.
    pub fn new_draft(&self, held: usize) -> Result<(), LimitError> {
        if held >= self.open_drafts {
            return Err(LimitError::TooManyDrafts {
                max: self.open_drafts,
            });
        }
        Ok(())
    }

    /// Whether a dossier holding `held` files of `held_bytes` together may take files of
    /// the sizes `adding` (empty: whether it may take any more at all).
    pub fn files(&self, held: usize, held_bytes: u64, adding: &[u64]) -> Result<(), LimitError> {
        let count = held.saturating_add(adding.len().max(1));
        if count > self.files {
            return Err(LimitError::TooManyFiles { max: self.files });
        }
        let bytes = adding
            .iter()
            .fold(held_bytes, |sum, size| sum.saturating_add(*size));
        if bytes > self.file_bytes || (adding.is_empty() && bytes >= self.file_bytes) {
            return Err(LimitError::FilesTooLarge {
                max_bytes: self.file_bytes,
            });
        }
        Ok(())
    }

    fn text(&self, field: &str, s: &str) -> Result<(), LimitError> {
        if s.chars().count() > self.text_chars {
            return Err(LimitError::TextTooLong {
                field: field.to_owned(),
                max_chars: self.text_chars,
            });
        }
        Ok(())
    }

    fn list(&self, field: &str, items: &[String]) -> Result<(), LimitError> {
        if items.len() > self.list_items {
            return Err(LimitError::TooManyItems {
                field: field.to_owned(),
                max: self.list_items,
            });
        }
        for (i, s) in items.iter().enumerate() {
            self.text(&format!("{field}[{i}]"), s)?;
        }
        Ok(())
    }

    /// The free text a command carries: every reason, note and item within bounds.
    pub fn command(&self, cmd: &Command) -> Result<(), LimitError> {
        match cmd {
            Command::Refuse { reason, .. }
            | Command::SendBack { reason }
            | Command::Transfer { reason, .. }
            | Command::Extend { reason, .. }
            | Command::Stop { reason } => self.text("reason", reason),
            Command::Withdraw {
                reason: Some(reason),
            } => self.text("reason", reason),
            Command::Forward { note: Some(note) } => self.text("note", note),
            Command::RequestSupplement { items, reason } => {
                self.list("items", items)?;
                self.text("reason", reason)
            }
            Command::Complete { results } => self.list("results", results),
            Command::Return { how } => self.text("how", how),
            Command::Rate {
                comment: Some(comment),
                ..
            } => self.text("comment", comment),
            Command::Digitise {
                how: Digitisation::PaperSeen { reason },
                ..
            } => self.text("reason", reason),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn small() -> Limits {
        Limits {
            form_data_bytes: 64,
            form_data_depth: 3,
            open_drafts: 2,
            files: 3,
            file_bytes: 100,
            text_chars: 5,
            list_items: 2,
        }
    }

    #[test]
    fn declarations_are_objects_of_bounded_size_and_depth() {
        let l = small();
        assert_eq!(l.form_data(&json!({"a": [{"b": 1}]})), Ok(()));
        assert_eq!(
            l.form_data(&json!([1, 2])),
            Err(LimitError::FormDataNotObject)
        );
        assert_eq!(l.form_data(&json!("x")), Err(LimitError::FormDataNotObject));
        assert_eq!(
            l.form_data(&json!({"a": [{"b": [1]}]})),
            Err(LimitError::FormDataTooDeep { max_depth: 3 })
        );
        assert_eq!(
            l.form_data(&json!({"a": "x".repeat(60)})),
            Err(LimitError::FormDataTooLarge { max_bytes: 64 })
        );
        // Exactly at the limit passes: {"a":"…"} is 8 bytes around the text.
        assert_eq!(l.form_data(&json!({"a": "x".repeat(56)})), Ok(()));
        let e = LimitError::FormDataTooLarge { max_bytes: 64 };
        assert_eq!(
            (e.field().as_str(), e.code(), e.too_large()),
            ("form_data", "form_data_too_large", true)
        );
    }

    #[test]
    fn drafts_and_files_are_counted() {
        let l = small();
        assert!(l.new_draft(1).is_ok());
        assert_eq!(l.new_draft(2), Err(LimitError::TooManyDrafts { max: 2 }));
        assert!(l.files(2, 50, &[50]).is_ok());
        assert_eq!(l.files(3, 0, &[]), Err(LimitError::TooManyFiles { max: 3 }));
        assert_eq!(
            l.files(2, 0, &[1, 1]),
            Err(LimitError::TooManyFiles { max: 3 })
        );
        assert_eq!(
            l.files(1, 60, &[41]),
            Err(LimitError::FilesTooLarge { max_bytes: 100 })
        );
        assert_eq!(
            l.files(1, 100, &[]),
            Err(LimitError::FilesTooLarge { max_bytes: 100 })
        );
        assert!(l.files(1, 99, &[]).is_ok());
    }

    #[test]
    fn officers_text_is_bounded_per_field() {
        let l = small();
        let ok = Command::RequestSupplement {
            items: vec!["ảnh".into(), "bản".into()],
            reason: "thiếu".into(),
        };
        assert_eq!(l.command(&ok), Ok(()));
        let long_item = Command::RequestSupplement {
            items: vec!["a".into(), "ảnh chụp".into()],
            reason: "x".into(),
        };
        let e = l.command(&long_item).unwrap_err();
        assert_eq!(
            (e.field().as_str(), e.code()),
            ("items[1]", "text_too_long")
        );
        let many = Command::RequestSupplement {
            items: vec!["a".into(); 3],
            reason: "x".into(),
        };
        assert_eq!(
            l.command(&many),
            Err(LimitError::TooManyItems {
                field: "items".into(),
                max: 2
            })
        );
        let note = Command::Forward {
            note: Some("123456".into()),
        };
        assert_eq!(l.command(&note).unwrap_err().field(), "note");
        assert_eq!(
            l.command(&Command::Stop {
                reason: "12345".into()
            }),
            Ok(())
        );
        assert_eq!(
            l.command(&Command::Stop {
                reason: "123456".into()
            })
            .unwrap_err()
            .code(),
            "text_too_long"
        );
        assert_eq!(Limits::default().text_chars, 2000);
    }
}
