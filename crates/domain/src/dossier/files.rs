//! Files and paper at the desk: component uploads, the reception officer's digitisation of
//! a paper dossier (a scan, or "original seen, not digitised" with a reason), result
//! documents, and the paper intake itself. Every one is a command decided here and an event
//! in the log, with the file's SHA-256, size and type, so the log alone says what was
//! digitised and proves which bytes.

use super::decide::{Command, Context, DossierError};
use super::model::{By, Change, Dossier};
use super::status::Status;
use crate::access::{Action, Resource, Role, authorize};
use crate::codes::{Cccd, UnitCode};
use crate::procedure::Channel;
use serde::{Deserialize, Serialize};

/// The media types a dossier file may have, judged from its content (magic bytes), never
/// from its name. Scans and signed results are PDF; photos of papers are JPEG or PNG.
/// Office formats are left out: the spec asks for none, and they carry macros.
pub const ALLOWED_MEDIA_TYPES: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

pub fn media_type_allowed(media_type: &str) -> bool {
    ALLOWED_MEDIA_TYPES.contains(&media_type)
}

/// The usual extension of an allowed type (for a download's file name).
pub fn extension_of(media_type: &str) -> Option<&'static str> {
    match media_type {
        "application/pdf" => Some("pdf"),
        "image/jpeg" => Some("jpg"),
        "image/png" => Some("png"),
        _ => None,
    }
}

/// A stored file as the events name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    /// The file row's id (UUID v7); one blob may back many rows.
    pub id: String,
    /// Lowercase hex SHA-256 of the content: the blob's key.
    pub sha256: String,
    pub size: u64,
    /// Sniffed from the content.
    pub media_type: String,
    /// The name it was uploaded with, NFC, without any folder part.
    pub name: String,
}

/// Characters that change how text around them is shown without being seen: bidirectional
/// embeddings, overrides and isolates (a name `cod\u{202e}fdp.exe` shows as `codexe.pdf`),
/// the directional marks, and the zero-width ones.
fn invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}' | '\u{feff}'
    )
}

/// A file name as people gave it, safe to show and to put in a header: the last path
/// segment, NFC, without control characters, invisible formatting or quotes, at most 200
/// characters.
pub fn clean_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = crate::text::nfc(last)
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && !invisible_format(*c))
        .take(200)
        .collect();
    cleaned.trim().to_owned()
}

/// The name a file is kept and downloaded under: the cleaned name's stem with the
/// extension of the type sniffed from its content, so a PDF uploaded as `poly.html` is
/// `poly.pdf` and no program opens it as a page. A short trailing `.xyz` is taken for the
/// uploader's extension and replaced; an empty stem falls back to one made of the digest.
pub fn file_name_for(raw: &str, media_type: &str, sha256: &str) -> String {
    let ext = extension_of(media_type).unwrap_or("bin");
    let cleaned = clean_file_name(raw);
    let stem = match cleaned.rsplit_once('.') {
        Some((stem, old))
            if (1..=5).contains(&old.len()) && old.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            stem.trim_end()
        }
        _ => cleaned.as_str(),
    };
    if stem.trim_matches('.').is_empty() {
        return format!("tep-{}.{ext}", sha256.get(..8).unwrap_or_default());
    }
    // The extension is at most 3 bytes: the stem keeps the whole within 200 characters.
    let stem: String = stem.chars().take(195).collect();
    format!("{stem}.{ext}")
}

impl FileRef {
    /// Checks what the events will carry: a real digest, a size, an allowed type, a name.
    pub fn checked(mut self) -> Result<Self, DossierError> {
        let hex = self.sha256.len() == 64
            && self
                .sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !hex || self.size == 0 || self.id.is_empty() {
            return Err(DossierError::InvalidFile);
        }
        if !media_type_allowed(&self.media_type) {
            return Err(DossierError::FileTypeNotAllowed);
        }
        self.name = file_name_for(&self.name, &self.media_type, &self.sha256);
        Ok(self)
    }
}

/// What the reception officer records for one component of a paper dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum Digitisation {
    /// Scanned and uploaded.
    Scanned { file: FileRef },
    /// The paper original was seen and checked but not digitised; why.
    PaperSeen { reason: String },
}

/// The applicant of a paper dossier, as the desk records them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskApplicant {
    pub name: String,
    pub cccd: Cccd,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ApplicantError {
    #[error("the applicant's name is required")]
    NameRequired,
    #[error("the CCCD number must be 12 digits")]
    InvalidCccd,
    #[error("the phone number is not a Vietnamese number")]
    InvalidPhone,
}

impl DeskApplicant {
    pub fn parse(name: &str, cccd: &str, phone: &str) -> Result<Self, ApplicantError> {
        let name = crate::text::nfc(name);
        if name.is_empty() {
            return Err(ApplicantError::NameRequired);
        }
        let cccd = Cccd::parse(cccd).map_err(|_| ApplicantError::InvalidCccd)?;
        let phone = match phone.trim() {
            "" => None,
            p => Some(phone_number(p).ok_or(ApplicantError::InvalidPhone)?),
        };
        Ok(Self { name, cccd, phone })
    }

    /// The dossier's applicant key. A walk-in applicant has no account; the key is their
    /// CCCD, so their paper dossiers group together, and an account proven to hold that
    /// CCCD (e-ID login) can claim them later. It never equals an account id (UUIDs), so
    /// no login opens these dossiers by accident; the applicant follows them with the
    /// receipt's code and lookup secret.
    pub fn key(&self) -> String {
        format!("cccd:{}", self.cccd.as_str())
    }
}

/// A Vietnamese phone number in national form: mobiles have 10 digits, fixed lines 11,
/// both starting with 0 (`+84` stands for it); spaces, dots, dashes and brackets allowed.
pub fn phone_number(s: &str) -> Option<String> {
    let compact: String = s
        .chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '.' | '-' | '(' | ')')))
        .collect();
    let national = match compact.strip_prefix("+84") {
        Some(rest) => format!("0{rest}"),
        None => compact,
    };
    let b = national.as_bytes();
    let ok = (10..=11).contains(&b.len()) && b.iter().all(u8::is_ascii_digit) && b[0] == b'0';
    ok.then_some(national)
}

/// The required components that neither a file nor a seen paper original covers: a desk
/// receives only a complete dossier (an incomplete one gets guidance, not a receipt).
pub fn missing_required<'a>(
    required: impl IntoIterator<Item = &'a str>,
    covered: &[String],
) -> Vec<String> {
    required
        .into_iter()
        .filter(|r| !covered.iter().any(|c| c == r))
        .map(str::to_owned)
        .collect()
}

fn component_name(c: &str) -> Result<String, DossierError> {
    let c = crate::text::nfc(c);
    if c.is_empty() {
        Err(DossierError::ComponentRequired)
    } else {
        Ok(c)
    }
}

/// The officer acting at `desk`: holds reception there, in the dossier's province.
fn at_desk(ctx: &Context<'_>, d: &Dossier, desk: &UnitCode) -> Result<By, DossierError> {
    if desk.province() != d.unit.province() {
        return Err(DossierError::OtherProvince);
    }
    authorize(
        ctx.actor,
        Action::ReceiveDossier,
        &Resource::Unit(desk.clone()),
        ctx.tree,
    )
    .map_err(|_| DossierError::Forbidden)?;
    let g = ctx
        .actor
        .grants
        .iter()
        .find(|g| {
            crate::access::role_allows(g.role, Action::ReceiveDossier)
                && (g.unit == *desk || (g.with_sub_units && ctx.tree.is_within(desk, &g.unit)))
        })
        .ok_or(DossierError::Forbidden)?;
    Ok(By {
        account: ctx.actor.account_id.clone(),
        role: g.role,
        unit: Some(desk.clone()),
    })
}

/// The applicant, or the helper who started the draft on their behalf while it is one.
fn applicant_side(ctx: &Context<'_>, d: &Dossier) -> Result<By, DossierError> {
    if ctx.actor.account_id == d.applicant {
        return Ok(By {
            account: d.applicant.clone(),
            role: Role::Applicant,
            unit: None,
        });
    }
    if d.status != Status::Draft || d.helper.as_deref() != Some(ctx.actor.account_id.as_str()) {
        return Err(DossierError::Forbidden);
    }
    let g = crate::access::grant_for(ctx.actor, Action::SubmitOnBehalf, &d.unit, None, ctx.tree)
        .ok_or(DossierError::Forbidden)?;
    Ok(By {
        account: ctx.actor.account_id.clone(),
        role: g.role,
        unit: Some(d.unit.clone()),
    })
}

/// Decides the file and desk commands (called from [`super::decide`]).
pub(super) fn decide_files(
    d: &Dossier,
    cmd: &Command,
    ctx: &Context<'_>,
    step_worker_complete: impl FnOnce() -> Result<By, DossierError>,
) -> Result<(By, Vec<Change>), DossierError> {
    let wrong = || DossierError::WrongStatus {
        command: cmd.name(),
        status: d.status.as_str(),
    };
    match cmd {
        Command::AttachFile { component, file } => {
            if !matches!(d.status, Status::Draft | Status::SupplementRequested) {
                return Err(wrong());
            }
            let by = applicant_side(ctx, d)?;
            Ok((
                by,
                vec![Change::ComponentFile {
                    component: component_name(component)?,
                    file: file.clone().checked()?,
                }],
            ))
        }
        Command::Digitise {
            desk,
            component,
            how,
        } => {
            // Before reception (the desk checks a paper or online dossier) and when the
            // applicant brings the supplement on paper.
            if !matches!(d.status, Status::Submitted | Status::SupplementRequested) {
                return Err(wrong());
            }
            let by = at_desk(ctx, d, desk)?;
            let component = component_name(component)?;
            let change = match how {
                Digitisation::Scanned { file } => Change::ComponentFile {
                    component,
                    file: file.clone().checked()?,
                },
                Digitisation::PaperSeen { reason } => {
                    let reason = crate::text::nfc(reason);
                    if reason.is_empty() {
                        return Err(DossierError::ReasonRequired);
                    }
                    Change::PaperSeen { component, reason }
                }
            };
            Ok((by, vec![change]))
        }
        Command::AttachResult { file } => {
            if !matches!(d.status, Status::Received | Status::Processing) {
                return Err(wrong());
            }
            // Whoever may complete at this step may attach what they complete with.
            let by = step_worker_complete()?;
            Ok((
                by,
                vec![Change::ResultFile {
                    file: file.clone().checked()?,
                }],
            ))
        }
        Command::Intake { desk, channel } => {
            if d.status != Status::Draft {
                return Err(wrong());
            }
            if *channel == Channel::Online {
                return Err(DossierError::ChannelNotAtDesk);
            }
            let by = at_desk(ctx, d, desk)?;
            Ok((
                by,
                vec![Change::Submitted {
                    channel: *channel,
                    helper: None,
                }],
            ))
        }
        _ => Err(wrong()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_folders_and_controls() {
        assert_eq!(
            clean_file_name("C:\\Users\\an\\Giấy khai sinh.pdf"),
            "Giấy khai sinh.pdf"
        );
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\"b\r\nc.png"), "abc.png");
        // NFD in, NFC out.
        assert_eq!(clean_file_name("Hue\u{0302}\u{0301}.pdf"), "Huế.pdf");
    }

    #[test]
    fn file_names_lose_bidirectional_controls() {
        // "invoice" RLO "fdp.exe" shows as "invoiceexe.pdf" where the override is honoured.
        assert_eq!(clean_file_name("invoice\u{202e}fdp.exe"), "invoicefdp.exe");
        for c in [
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200e}', '\u{200f}', '\u{061c}', '\u{0085}', '\u{007f}',
        ] {
            assert_eq!(clean_file_name(&format!("a{c}b.pdf")), "ab.pdf", "{:?}", c);
        }
    }

    #[test]
    fn kept_names_take_the_sniffed_types_extension() {
        let sha = "b".repeat(64);
        let pdf = "application/pdf";
        assert_eq!(file_name_for("poly.html", pdf, &sha), "poly.pdf");
        assert_eq!(
            file_name_for("Giấy khai sinh.PDF", pdf, &sha),
            "Giấy khai sinh.pdf"
        );
        assert_eq!(
            file_name_for("ảnh chụp.png", "image/jpeg", &sha),
            "ảnh chụp.jpg"
        );
        assert_eq!(file_name_for("scan", "image/png", &sha), "scan.png");
        assert_eq!(file_name_for("v1.2 tờ khai", pdf, &sha), "v1.2 tờ khai.pdf");
        assert_eq!(file_name_for("x\u{202e}lmth.pdf", pdf, &sha), "xlmth.pdf");
        assert_eq!(file_name_for(".html", pdf, &sha), "tep-bbbbbbbb.pdf");
        assert_eq!(file_name_for("", pdf, &sha), "tep-bbbbbbbb.pdf");
        assert!(file_name_for(&"ầ".repeat(300), pdf, &sha).chars().count() <= 200);
    }

    #[test]
    fn file_refs_are_checked() {
        let good = FileRef {
            id: "f1".into(),
            sha256: "a".repeat(64),
            size: 10,
            media_type: "application/pdf".into(),
            name: "".into(),
        };
        let named = good.clone().checked().unwrap();
        assert_eq!(named.name, "tep-aaaaaaaa.pdf");
        let exe = FileRef {
            media_type: "application/x-msdownload".into(),
            ..good.clone()
        };
        assert_eq!(exe.checked(), Err(DossierError::FileTypeNotAllowed));
        let upper = FileRef {
            sha256: "A".repeat(64),
            ..good.clone()
        };
        assert_eq!(upper.checked(), Err(DossierError::InvalidFile));
        let empty = FileRef { size: 0, ..good };
        assert_eq!(empty.checked(), Err(DossierError::InvalidFile));
    }

    #[test]
    fn desk_applicants() {
        let a =
            DeskApplicant::parse("  Nguyễn Văn An ", "046 195 000 456", "+84 905.123.456").unwrap();
        assert_eq!(a.name, "Nguyễn Văn An");
        assert_eq!(a.key(), "cccd:046195000456");
        assert_eq!(a.phone.as_deref(), Some("0905123456"));
        assert_eq!(
            DeskApplicant::parse("", "046195000456", ""),
            Err(ApplicantError::NameRequired)
        );
        assert_eq!(
            DeskApplicant::parse("An", "04619500045", ""),
            Err(ApplicantError::InvalidCccd)
        );
        assert_eq!(
            DeskApplicant::parse("An", "046195000456", "12345"),
            Err(ApplicantError::InvalidPhone)
        );
        assert_eq!(
            phone_number("0234 3822 123").as_deref(),
            Some("02343822123")
        );
    }

    #[test]
    fn missing_required_components() {
        let covered = vec!["Tờ khai".to_owned()];
        assert_eq!(
            missing_required(["Tờ khai", "Giấy chứng sinh"], &covered),
            vec!["Giấy chứng sinh".to_owned()]
        );
        assert!(missing_required(["Tờ khai"], &covered).is_empty());
    }
}
