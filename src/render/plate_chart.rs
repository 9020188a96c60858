//! The plates campaign's chart: one stacked bar per road or division (no plate, ordered,
//! produced, installed, verified), its share on the wall and its problems (重错漏损), as SVG a
//! browser shows and a report embeds.

use std::fmt::Write as _;

/// One bar of the chart.
#[derive(Debug, Clone)]
pub struct ChartRow {
    /// The road's or division's name.
    pub label: String,
    /// Addresses with no plate, ordered, produced, installed, verified.
    pub stages: [usize; 5],
    /// Plates with 重, 错, 漏, 损 problems.
    pub problems: [usize; 4],
}

/// The stages' names and colours, in the order of `ChartRow::stages`.
const STAGES: [(&str, &str); 5] = [
    ("未设牌", "#d9d9d9"),
    ("待制作", "#fdd49e"),
    ("已制作", "#fc8d59"),
    ("已安装", "#74a9cf"),
    ("已核验", "#2b8cbe"),
];
const PROBLEMS: [&str; 4] = ["重", "错", "漏", "损"];

const LABEL_W: f64 = 190.0;
const BAR_W: f64 = 420.0;
const RIGHT_W: f64 = 170.0;
const ROW_H: f64 = 26.0;
const TOP: f64 = 64.0;

use super::escape_xml as escape;

/// The chart titled `title` of `rows`, each bar as wide as the whole (every bar is 100 % of its
/// addresses, so roads of different length compare by share).
///
/// ```
/// use diming::render::plate_chart::{ChartRow, progress_chart_svg};
///
/// let svg = progress_chart_svg("进度", &[ChartRow {
///     label: "亭桥路".into(), stages: [1, 0, 0, 2, 1], problems: [0, 1, 1, 0],
/// }]);
/// assert!(svg.starts_with("<svg") && svg.contains("亭桥路") && svg.contains("75%"));
/// ```
pub fn progress_chart_svg(title: &str, rows: &[ChartRow]) -> String {
    let width = LABEL_W + BAR_W + RIGHT_W;
    let height = TOP + ROW_H * rows.len().max(1) as f64 + 20.0;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="Noto Sans CJK SC, sans-serif" font-size="12" role="img" aria-label="{}"><rect width="100%" height="100%" fill="#fff"/><text x="8" y="20" font-size="15" font-weight="bold">{}</text>"##,
        escape(title),
        escape(title)
    );
    // The legend.
    let mut x = 8.0;
    for (name, colour) in STAGES {
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="32" width="12" height="12" fill="{colour}"/><text x="{}" y="42">{name}</text>"#,
            x + 16.0
        );
        x += 74.0;
    }
    let _ = write!(
        svg,
        r#"<text x="{}" y="42">上墙率 · 重/错/漏/损</text>"#,
        LABEL_W + BAR_W + 8.0
    );
    if rows.is_empty() {
        let _ = write!(
            svg,
            r#"<text x="8" y="{}">无已编门牌（no assigned address）</text>"#,
            TOP + 16.0
        );
    }
    for (i, row) in rows.iter().enumerate() {
        let y = TOP + i as f64 * ROW_H;
        let total: usize = row.stages.iter().sum();
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            LABEL_W - 8.0,
            y + 15.0,
            escape(&row.label)
        );
        let mut x = LABEL_W;
        for (count, (name, colour)) in row.stages.iter().zip(STAGES) {
            if *count == 0 || total == 0 {
                continue;
            }
            let w = BAR_W * *count as f64 / total as f64;
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{y}" width="{w:.1}" height="{}" fill="{colour}"><title>{name} {count}</title></rect>"#,
                ROW_H - 6.0
            );
            if w >= 18.0 {
                let _ = write!(
                    svg,
                    r#"<text x="{:.1}" y="{}" text-anchor="middle" font-size="11">{count}</text>"#,
                    x + w / 2.0,
                    y + 14.0
                );
            }
            x += w;
        }
        let on_wall = row.stages[3] + row.stages[4];
        let percent = if total == 0 {
            100
        } else {
            (100.0 * on_wall as f64 / total as f64).round() as usize
        };
        let problems: Vec<String> = row
            .problems
            .iter()
            .zip(PROBLEMS)
            .map(|(n, name)| format!("{name}{n}"))
            .collect();
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}">{percent}% · {}</text>"#,
            LABEL_W + BAR_W + 8.0,
            y + 15.0,
            problems.join(" ")
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bar_is_the_whole_of_its_addresses_and_names_are_escaped() {
        let svg = progress_chart_svg(
            "进度",
            &[
                ChartRow {
                    label: "A<B".into(),
                    stages: [0, 0, 0, 4, 0],
                    problems: [0; 4],
                },
                ChartRow {
                    label: "二".into(),
                    stages: [1, 1, 0, 0, 0],
                    problems: [1, 0, 0, 2],
                },
            ],
        );
        assert!(svg.contains("A&lt;B") && !svg.contains("A<B"));
        assert!(
            svg.contains(&format!(r#"width="{BAR_W:.1}""#)),
            "4 of 4 fill the bar"
        );
        assert!(svg.contains("100% · 重0 错0 漏0 损0"));
        assert!(svg.contains("0% · 重1 错0 漏0 损2"));
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn an_empty_chart_says_so() {
        assert!(progress_chart_svg("进度", &[]).contains("无已编门牌"));
    }
}
