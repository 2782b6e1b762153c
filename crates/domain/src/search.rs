//! Ranking of catalogue search results. The database narrows the candidates (every query
//! word must occur in the folded text); this decides their order, identically on SQLite
//! and PostgreSQL, because a citizen should get the same first answer everywhere.

use crate::text::{fold_terms, fold_vi};

/// Score of one candidate; higher is better, `None` if it does not match every word.
pub fn score(query: &str, name: &str, code: &str, search_text: &str) -> Option<u32> {
    let terms = fold_terms(query);
    if terms.is_empty() {
        return Some(0);
    }
    let hay_words: Vec<&str> = search_text.split(' ').collect();
    if !terms
        .iter()
        .all(|t| hay_words.iter().any(|w| w.starts_with(t.as_str())))
    {
        return None;
    }
    let q = terms.join(" ");
    let folded = fold_vi(name);
    // Official names often begin with "Thủ tục"; people do not type it.
    let name_f = folded
        .strip_prefix("thu tuc ")
        .unwrap_or(&folded)
        .to_owned();
    let mut s = 0u32;
    if code == q {
        s += 10_000;
    }
    if name_f == q {
        s += 5_000;
    } else if name_f.starts_with(&q) {
        s += 3_000;
    } else if name_f.contains(&q) {
        s += 2_000;
    }
    let name_words: Vec<&str> = name_f.split(' ').collect();
    // Whole words in the name beat prefixes and words found only in the field.
    for t in &terms {
        if name_words.iter().any(|w| w == t) {
            s += 100;
        } else if name_words.iter().any(|w| w.starts_with(t.as_str())) {
            s += 40;
        }
    }
    // Between equals, the shorter name is the more specific answer.
    s += 200u32.saturating_sub(u32::try_from(name_words.len()).unwrap_or(200) * 4);
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold_vi;

    fn st(name: &str, code: &str) -> String {
        format!("{} {}", fold_vi(name), code)
    }

    #[test]
    fn exact_name_beats_longer_names() {
        let q = "dang ky khai sinh";
        let a = "Đăng ký khai sinh";
        let b = "Đăng ký khai sinh có yếu tố nước ngoài";
        let c = "Đăng ký lại khai sinh";
        let sa = score(q, a, "1.001193", &st(a, "1.001193")).unwrap_or(0);
        let sb = score(q, b, "1.001", &st(b, "1.001")).unwrap_or(0);
        let sc = score(q, c, "1.004884", &st(c, "1.004884")).unwrap_or(0);
        assert!(sa > sb && sb > sc, "{sa} {sb} {sc}");
    }

    #[test]
    fn every_word_must_match() {
        assert_eq!(
            score(
                "khai tu",
                "Đăng ký khai sinh",
                "1",
                &st("Đăng ký khai sinh", "1")
            ),
            None
        );
        assert!(
            score(
                "KHAI SINH",
                "Đăng ký khai sinh",
                "1",
                &st("Đăng ký khai sinh", "1")
            )
            .is_some()
        );
    }

    #[test]
    fn leading_thu_tuc_is_noise() {
        let a = "Thủ tục đăng ký khai sinh";
        let b = "Thủ tục đăng ký khai sinh có yếu tố nước ngoài";
        let q = "dang ky khai sinh";
        assert!(score(q, a, "1", &st(a, "1")) > score(q, b, "2", &st(b, "2")));
        assert!(score(q, a, "1", &st(a, "1")).unwrap_or(0) >= 5_000);
    }

    #[test]
    fn code_search() {
        let n = "Đăng ký kết hôn";
        assert!(score("1.000894", n, "1.000894", &st(n, "1.000894")).unwrap_or(0) >= 10_000);
    }
}
