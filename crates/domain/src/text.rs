//! Text normalisation shared by every input path.
//!
//! Input is stored in NFC so that "Đăng ký" typed on a phone (often NFD) and the same words
//! pasted from a decree compare equal. Search runs over a *folded* form (no diacritics,
//! đ→d, lowercase) computed here once, so SQLite and PostgreSQL see identical text and rank
//! identically.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// NFC form of `s`, trimmed.
pub fn nfc(s: &str) -> String {
    s.trim().nfc().collect()
}

/// Search form: lowercase, without diacritics, with đ/Đ mapped to d (U+0111 has no
/// canonical decomposition, so stripping marks alone would miss it), runs of anything that
/// is not a letter or digit collapsed to one space.
pub fn fold_vi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            _ => c,
        };
        if c.is_alphanumeric() || c == '.' {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// The folded words of a query, for matching word by word.
pub fn fold_terms(s: &str) -> Vec<String> {
    fold_vi(s)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese_including_d_stroke() {
        assert_eq!(fold_vi("Đăng ký khai sinh"), "dang ky khai sinh");
        assert_eq!(
            fold_vi("  ĐỒNG   bằng, sông Hương "),
            "dong bang song huong"
        );
        assert_eq!(fold_vi("Chân Mây - Lăng Cô"), "chan may lang co");
    }

    #[test]
    fn nfd_input_becomes_nfc() {
        let nfd: String = "Huế".nfd().collect();
        assert_ne!(nfd, "Huế");
        assert_eq!(nfc(&nfd), "Huế");
    }

    #[test]
    fn keeps_procedure_codes_searchable() {
        assert_eq!(fold_vi("1.001193"), "1.001193");
        assert_eq!(
            fold_terms("Khai sinh 1.001193"),
            vec!["khai", "sinh", "1.001193"]
        );
    }
}
