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

/// The longest query read, in characters; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most words of a query matched; the rest are ignored. Each word is one `LIKE` in the
/// database's query, and SQLite refuses an expression of about a thousand of them.
pub const MAX_QUERY_TERMS: usize = 12;

/// The folded words of a query, for matching word by word: at most [`MAX_QUERY_TERMS`]
/// words from its first [`MAX_QUERY_CHARS`] characters.
pub fn fold_terms(s: &str) -> Vec<String> {
    let head: String = s.chars().take(MAX_QUERY_CHARS).collect();
    fold_vi(&head)
        .split(' ')
        .filter(|w| !w.is_empty())
        .take(MAX_QUERY_TERMS)
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
    fn long_queries_are_bounded() {
        let many = "khai sinh ".repeat(1000);
        let t = fold_terms(&many);
        assert_eq!(t.len(), MAX_QUERY_TERMS);
        assert_eq!(&t[..2], ["khai", "sinh"]);
        let one_long_word = "đ".repeat(5000);
        assert_eq!(fold_terms(&one_long_word), ["d".repeat(MAX_QUERY_CHARS)]);
        assert_eq!(
            fold_terms("Đăng ký khai sinh"),
            ["dang", "ky", "khai", "sinh"]
        );
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
