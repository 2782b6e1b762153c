//! Charts drawn on the server as inline SVG: no script, no external file, readable by
//! screen readers through `<title>`/`<desc>` (and each page puts the same figures in a
//! table beside the chart). Colours meet the 3:1 contrast WCAG asks of graphics.

use std::fmt::Write;

/// Text made safe inside SVG/HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One bar: its label, value, the most it could be, and the value as written after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    /// The label is Vietnamese text inside a page in another language.
    pub label_vi: bool,
    pub value: f64,
    pub max: f64,
    pub text: String,
}

/// Narrow, so that the 12-unit text stays readable on a 375-pixel phone.
const WIDTH: f64 = 320.0;
const ROW: f64 = 34.0;
const BAR: f64 = 12.0;
const INK: &str = "#1b1f24";
const FILL: &str = "#7a1414";
const TRACK: &str = "#e3e6ea";

/// A horizontal bar chart: each row is the label, then a bar of `value / max` with its
/// text after it. `id` makes the title and description ids unique in the page.
pub fn bars(id: &str, title: &str, desc: &str, bars: &[Bar]) -> String {
    let height = (bars.len() as f64 * ROW + 8.0).max(ROW);
    let track = WIDTH - 90.0;
    let mut s = String::new();
    // Writing to a String cannot fail.
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = i as f64 * ROW + 4.0;
        let share = if b.max > 0.0 {
            (b.value / b.max).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let w = (share * track).max(if b.value > 0.0 { 1.0 } else { 0.0 });
        let _ = write!(
            s,
            r#"<g aria-hidden="true"><text x="0" y="{ty}" font-size="12" fill="{INK}"{mark}>{label}</text><rect x="0" y="{by}" width="{track}" height="{BAR}" fill="{TRACK}"/><rect x="0" y="{by}" width="{w:.1}" height="{BAR}" fill="{FILL}"/><text x="{vx}" y="{vy}" font-size="12" fill="{INK}">{text}</text></g>"#,
            ty = y + 12.0,
            by = y + 16.0,
            vx = track + 6.0,
            vy = y + 26.0,
            label = esc(&b.label),
            mark = if b.label_vi { r#" lang="vi""# } else { "" },
            text = esc(&b.text),
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_escape_and_describe() {
        let svg = bars(
            "c1",
            "Tổng điểm",
            "Cao nhất A & B",
            &[
                Bar {
                    label: "Sở <Tư pháp>".into(),
                    label_vi: true,
                    value: 50.0,
                    max: 100.0,
                    text: "50,00 điểm".into(),
                },
                Bar {
                    label: "Phường".into(),
                    label_vi: false,
                    value: 0.0,
                    max: 100.0,
                    text: "0,00".into(),
                },
            ],
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(r#"<title id="c1-t">Tổng điểm</title>"#));
        assert!(svg.contains("Cao nhất A &amp; B"));
        assert!(svg.contains(r#"lang="vi">Sở &lt;Tư pháp&gt;"#));
        assert!(svg.contains(r##"fill="#1b1f24">Phường"##));
        // Half of the 230-unit track.
        assert!(svg.contains(r#"width="115.0""#));
        assert!(svg.contains("50,00 điểm"));
        assert!(svg.contains(r#"width="0.0""#));
        assert!(svg.ends_with("</svg>"));
    }
}
