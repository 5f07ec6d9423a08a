//! Small server-rendered SVG charts: no JavaScript, print well, work offline.
//! Every chart carries its title (shown, and as the image's accessible name)
//! and a legend naming what the bars and the target lines are.

use crate::render::escape;

/// A horizontal bar chart. `values` are (label, value, optional target);
/// bars are scaled to the largest value or target. The legend calls the bars
/// "数值" (see [`bars_named`] to name them).
pub fn bars(title: &str, unit: &str, values: &[(String, i64, Option<i64>)]) -> String {
    bars_named(title, unit, "数值", values)
}

/// As [`bars`], the bars named `series` in the legend (e.g. 已承诺金额).
pub fn bars_named(title: &str, unit: &str, series: &str, values: &[(String, i64, Option<i64>)]) -> String {
    const BAR: &str = "#2f6fb5";
    const TARGET: &str = "#c0392b";
    let max = values.iter().map(|(_, v, t)| (*v).max(t.unwrap_or(0))).max().unwrap_or(0).max(1);
    let row = 26;
    let label_w = 150;
    let bar_w = 460;
    let top = 34;
    let legend_y = top + row * values.len() as i64 + 10;
    let h = legend_y + 24;
    let w = label_w + bar_w + 120;
    let mut s = format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>\
         <text x=\"{cx}\" y=\"18\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{t}</text>",
        t = escape(title),
        cx = w / 2
    );
    for (i, (label, v, target)) in values.iter().enumerate() {
        let y = top + row * i as i64;
        let bw = (*v as i128 * bar_w as i128 / max as i128) as i64;
        s.push_str(&format!(
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" font-size=\"13\">{l}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{bw}\" height=\"18\" fill=\"{BAR}\"/><text x=\"{vx}\" y=\"{ty}\" font-size=\"12\">{v}{u}</text>",
            lx = label_w - 6,
            ty = y + 14,
            l = escape(label),
            vx = label_w + bw + 4,
            u = escape(unit)
        ));
        if let Some(t) = target {
            let tx = label_w + (*t as i128 * bar_w as i128 / max as i128) as i64;
            s.push_str(&format!(
                "<line x1=\"{tx}\" x2=\"{tx}\" y1=\"{}\" y2=\"{}\" stroke=\"{TARGET}\" stroke-width=\"2\"><title>目标 {t}{}</title></line>",
                y - 2,
                y + 20,
                escape(unit)
            ));
        }
    }
    // The legend: what a bar is, and the target line when there is one.
    s.push_str(&format!(
        "<g class=\"legend\"><rect x=\"{label_w}\" y=\"{ry}\" width=\"14\" height=\"14\" fill=\"{BAR}\"/><text x=\"{tx}\" y=\"{ty}\" font-size=\"12\">{n}（{u}）</text>",
        ry = legend_y,
        tx = label_w + 20,
        ty = legend_y + 12,
        n = escape(series),
        u = escape(unit)
    ));
    if values.iter().any(|(_, _, t)| t.is_some()) {
        s.push_str(&format!(
            "<line x1=\"{x}\" x2=\"{x}\" y1=\"{y1}\" y2=\"{y2}\" stroke=\"{TARGET}\" stroke-width=\"2\"/><text x=\"{tx}\" y=\"{ty}\" font-size=\"12\">目标</text>",
            x = label_w + 187,
            y1 = legend_y,
            y2 = legend_y + 14,
            tx = label_w + 194,
            ty = legend_y + 12
        ));
    }
    s.push_str("</g></svg>");
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

    #[test]
    fn every_chart_has_a_title_and_a_legend() {
        let svg = super::bars_named("已承诺扶持资金", "元", "已承诺金额", &[("第3条".into(), 5, None)]);
        assert!(svg.contains("font-weight=\"bold\">已承诺扶持资金</text>"), "a visible title");
        assert!(svg.contains("<g class=\"legend\">") && svg.contains("已承诺金额（元）"), "{svg}");
        assert!(!svg.contains(">目标</text>"), "no target line, no target in the legend");
        let with_target = super::bars("进度", "%", &[("T1".into(), 50, Some(100))]);
        assert!(with_target.contains(">目标</text>") && with_target.contains("数值（%）"), "{with_target}");
    }
}
