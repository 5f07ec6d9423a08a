//! Small server-rendered SVG charts: no JavaScript, print well, work offline.

use crate::render::escape;

/// A horizontal bar chart. `values` are (label, value, optional target);
/// bars are scaled to the largest value or target.
pub fn bars(title: &str, unit: &str, values: &[(String, i64, Option<i64>)]) -> String {
    let max = values.iter().map(|(_, v, t)| (*v).max(t.unwrap_or(0))).max().unwrap_or(0).max(1);
    let row = 26;
    let label_w = 150;
    let bar_w = 460;
    let h = 30 + row * values.len() as i64;
    let mut s = format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = escape(title),
        w = label_w + bar_w + 120
    );
    for (i, (label, v, target)) in values.iter().enumerate() {
        let y = 20 + row * i as i64;
        let w = (*v as i128 * bar_w as i128 / max as i128) as i64;
        s.push_str(&format!(
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" font-size=\"13\">{l}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{w}\" height=\"18\" fill=\"#2f6fb5\"/><text x=\"{vx}\" y=\"{ty}\" font-size=\"12\">{v}{u}</text>",
            lx = label_w - 6,
            ty = y + 14,
            l = escape(label),
            vx = label_w + w + 4,
            u = escape(unit)
        ));
        if let Some(t) = target {
            let tx = label_w + (*t as i128 * bar_w as i128 / max as i128) as i64;
            s.push_str(&format!(
                "<line x1=\"{tx}\" x2=\"{tx}\" y1=\"{}\" y2=\"{}\" stroke=\"#c0392b\" stroke-width=\"2\"><title>目标 {t}{}</title></line>",
                y - 2,
                y + 20,
                escape(unit)
            ));
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn scales_to_the_largest_value() {
        let svg = super::bars("测试", "人", &[("甲".into(), 50, Some(100)), ("乙<".into(), 100, None)]);
        assert!(svg.contains("width=\"460\""), "the largest bar fills the width");
        assert!(svg.contains("width=\"230\""));
        assert!(svg.contains("乙&lt;"), "labels are escaped");
        assert!(svg.contains("目标 100人"));
    }
}
