//! The outputs of a joint inspection, drawn from its report content (`ReportContent`, the same
//! model the PDF layer renders): the report as an HTML page (zh-CN, English beside the
//! headings), the updated 界桩登记表 (one sheet per marker), the findings as CSV that opens in
//! Excel (UTF-8 with a byte-order mark), and a map of the line from the service's own data as
//! SVG (markers coloured by the condition that holds, measured offsets, both sides' claimed
//! lines in red and blue; no tiles). Every text is escaped (maud for HTML, `escape_xml` for
//! SVG).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde_json::Value;

use super::escape_xml;
use crate::domain::inspection::{DisputeStatus, TaskAction};
use crate::domain::inspection_finding::{Finding, FoundCondition};
use crate::domain::inspection_reconcile::Verdict;
use crate::domain::inspection_records::chinese_number;
use crate::domain::inspection_report::{MarkerRow, ReportContent};

/// A signature as the report page shows it.
#[derive(Debug, Clone)]
pub struct SignatureLine {
    /// The side signed for.
    pub side: String,
    /// The signer.
    pub signer: String,
    /// When.
    pub signed_at: DateTime<Utc>,
    /// Whether it stands (a later change voids it).
    pub valid: bool,
}

const STYLE: &str = "body{margin:0;font:15px/1.55 system-ui,'Noto Sans CJK SC','PingFang SC',sans-serif;color:#1b1b1b}\
main{max-width:64rem;margin:0 auto;padding:1rem}h1{font-size:1.5rem;text-align:center;margin:.6rem 0}\
h2{font-size:1.15rem;border-bottom:2px solid #8a1c1c;margin-top:1.6rem}.en{color:#595959;font-size:.85rem;font-weight:normal;margin-left:.4rem}\
table{border-collapse:collapse;width:100%;margin:.4rem 0}th,td{border:1px solid #bbb;padding:.25rem .45rem;text-align:left;vertical-align:top}\
th{background:#f3ede4}.num{text-align:right;font-variant-numeric:tabular-nums}.warn{color:#b71c1c;font-weight:600}\
.red{color:#d32f2f;font-weight:600}.blue{color:#1565c0;font-weight:600}.void{text-decoration:line-through;color:#777}\
.hash{font-family:ui-monospace,monospace;word-break:break-all}.sheet{page-break-inside:avoid;margin-bottom:1.2rem}\
figure{margin:.5rem 0}svg{max-width:100%;height:auto;border:1px solid #ccc}";

fn heading(zh: &str, en: &str) -> Markup {
    html! { h2 { (zh) span.en { (en) } } }
}

/// The condition's name, or a dash.
pub(crate) fn condition(finding: Option<&Finding>) -> String {
    finding
        .and_then(|f| f.condition)
        .map_or("—".into(), |c| c.label_zh().to_string())
}

fn side_cell(row: &MarkerRow, side: &str) -> Markup {
    let Some(finding) = row.findings.get(side) else {
        return html! { td { "未记录" } };
    };
    html! {
        td {
            (condition(Some(finding)))
            @if let Some(inscription) = finding.inscription { "，注记" (inscription.label_zh()) }
            @if let Some(position) = &finding.position {
                br;
                span class=(if position.exceeds_tolerance { "warn" } else { "" }) {
                    "偏移 " (format!("{:.3}", position.offset_m)) " 米"
                    @if position.exceeds_tolerance { "（超限）" }
                }
            }
            @for reference in &finding.references {
                br;
                (reference.name) "："
                @if reference.found {
                    "找到"
                    @if let (Some(b), Some(d)) = (reference.bearing_deg, reference.distance_m) {
                        " " (format!("{b:.1}° {d:.2} 米"))
                    }
                } @else { "未找到" }
            }
        }
    }
}

pub(crate) fn dispute_status(status: &str) -> &'static str {
    DisputeStatus::parse(status).map_or("—", DisputeStatus::label_zh)
}

pub(crate) fn task_action(action: &str) -> &'static str {
    TaskAction::parse(action).map_or("—", TaskAction::label_zh)
}

/// The report (联合检查报告) as an HTML page, with its hash, signatures and map.
pub fn report_html(
    content: &ReportContent,
    hash: &str,
    signatures: &[SignatureLine],
    map_svg: &str,
) -> String {
    let [lead, cooperating] = &content.sides;
    let round = &content.round;
    let counts = &content.counts;
    let page = html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (content.title) }
                style { (PreEscaped(STYLE)) }
            }
            body { main {
                h1 { (content.title) }
                p.en style="text-align:center" { "Joint inspection report of the boundary line " (content.line.code) }
                (heading("一、基本情况", "Line and round"))
                table {
                    tr { th { "界线编号" } td { (content.line.code) } th { "界线长度" } td.num { (format!("{:.1} 米", content.line.length_m)) } }
                    tr {
                        th { "界线协议书" }
                        td colspan="3" {
                            @if let Some(agreement) = &content.line.agreement {
                                (agreement.title) "（" (agreement.number) "，" (agreement.signed_on.to_string()) "签订）"
                            } @else { "—" }
                        }
                    }
                    tr { th { "批准机关" } td { (content.line.approved_by.as_deref().unwrap_or("—")) } th { "检查轮次" } td {
                        @if let Some(n) = round.number { "第" (chinese_number(n)) "轮" }
                        @if let Some(cause) = &round.adhoc_cause { "专项检查：" (cause) }
                    } }
                    tr { th { "计划时间" } td { (round.planned_start.to_string()) " 至 " (round.planned_end.to_string()) }
                        th { "实地检查" } td { @if let Some((a, b)) = round.observed { (a.to_string()) " 至 " (b.to_string()) } @else { "—" } } }
                    tr { th { "位置限差" } td { (format!("{} 米", round.tolerance_m)) } th { "报告编号" } td { (round.id) } }
                }
                (heading("二、检查双方", "Both sides"))
                table {
                    tr { th { "" } th { "行政区域" } th { "代码" } th { "检查人员" } th { "签署人" } }
                    @for (part, side) in [("牵头方", lead), ("配合方", cooperating)] {
                        tr { th { (part) } td { (side.name) } td { (side.code) } td { (side.inspectors.join("、")) } td { (side.signer) } }
                    }
                }
                (heading("三、检查统计", "Counts"))
                table {
                    tr { th { "登记界桩" } th { "已检查" } th { "完好" } th { "损坏" } th { "丢失" } th { "移位" } th { "已维修" } th { "超限" } th { "未一致" } th { "未解决争议" } }
                    tr {
                        @for n in [counts.markers_registered, counts.markers_checked, counts.intact, counts.damaged, counts.missing, counts.moved, counts.repaired, counts.beyond_tolerance, counts.differing, counts.open_disputes] {
                            td.num { (n) }
                        }
                    }
                }
                (heading("四、界桩检查情况", "Markers"))
                table {
                    tr { th { "界桩编号" } th { "登记坐标（CGCS2000）" } th { "负责方" } th { (lead.name) } th { (cooperating.name) } th { "核对结论" } }
                    @for row in &content.markers {
                        tr {
                            td { (row.number) }
                            td.num { (format!("{:.6}, {:.6}", row.lon, row.lat)) }
                            td { (row.lead.as_deref().map(|c| content.side_name(c)).unwrap_or_else(|| "—".into())) }
                            (side_cell(row, &lead.code))
                            (side_cell(row, &cooperating.code))
                            td {
                                (row.verdict.label_zh())
                                @if let (Verdict::Settled | Verdict::OneSided, Some(side)) = (row.verdict, &row.holding_side) {
                                    br; "以" (content.side_name(side)) "记录为准"
                                }
                            }
                        }
                    }
                }
                (heading("五、界线走向检查", "Segments and the line"))
                table {
                    tr { th { "段落" } th { "起止界桩" } th { "长度" } th { (lead.name) } th { (cooperating.name) } th { "核对结论" } }
                    @for row in &content.stretches {
                        tr {
                            td { @if row.subject == "line" { "全线" } @else { (row.subject.replace("segment-", "第")) "段" } }
                            td { (row.from_marker.as_deref().unwrap_or("端点")) " — " (row.to_marker.as_deref().unwrap_or("端点")) }
                            td.num { (format!("{:.0} 米", row.length_m)) }
                            @for side in [&lead.code, &cooperating.code] {
                                td {
                                    @match row.findings.get(side.as_str()) {
                                        None => { "未记录" }
                                        Some(f) => {
                                            @match f.line_identifiable { Some(true) => { "界线可辨认" } Some(false) => { "界线难以辨认" } None => {} }
                                            @for change in &f.changes { br; (change.kind.label_zh()) "：" (change.description) }
                                            @if let Some(notes) = &f.notes { br; (notes) }
                                        }
                                    }
                                }
                            }
                            td { (row.verdict.label_zh()) }
                        }
                    }
                }
                (heading("六、争议", "Disputes"))
                @if content.disputes.is_empty() { p { "无。" } }
                @for dispute in &content.disputes {
                    div.sheet {
                        p {
                            strong { "争议 " (dispute.id) "（" (dispute.subject) "）" } "：" (dispute.description)
                            "　状态：" (dispute_status(&dispute.status))
                            @if let Some(document) = &dispute.resolving_document { "，依据" (document) }
                            @if let Some(from) = dispute.carried_from { "（由上轮争议 " (from) " 转入）" }
                        }
                        ul {
                            @for claim in &dispute.claims {
                                li {
                                    span class=(claim.colour.as_str()) { (if claim.colour == "red" { "红线" } else { "蓝线" }) }
                                    "：" (content.side_name(&claim.side)) "主张线"
                                    @if claim.line.is_none() { "（未提交）" }
                                }
                            }
                        }
                        @if !dispute.history.is_empty() {
                            p { "经过：" @for (i, step) in dispute.history.iter().enumerate() {
                                @if i > 0 { " → " }
                                (dispute_status(&step.status)) "（" (step.by) @if let Some(note) = &step.note { "，" (note) } "）"
                            } }
                        }
                    }
                }
                (heading("七、维护任务", "Tasks"))
                @if content.tasks.is_empty() { p { "无。" } }
                @else {
                    table {
                        tr { th { "界桩" } th { "任务" } th { "负责方" } th { "原因" } th { "状态" } th { "在场人员" } }
                        @for task in &content.tasks {
                            tr {
                                td { (task.marker_number) }
                                td { (task_action(&task.action))
                                    @if let Some((lon, lat)) = task.new_position { br; (format!("新位置 {lon:.6}, {lat:.6}")) } }
                                td { (content.side_name(&task.side)) }
                                td { (task.reason.as_deref().unwrap_or("—")) }
                                td { @if task.status == "done" { "已完成 " (task.completed_on.map(|d| d.to_string()).unwrap_or_default()) } @else { "未完成" } }
                                td { @for (side, names) in &task.present { (content.side_name(side)) "：" (names.join("、")) br; } }
                            }
                        }
                    }
                }
                (heading("八、照片索引", "Photos"))
                @if content.photos.is_empty() { p { "无。" } }
                @else {
                    table {
                        tr { th { "编号" } th { "尺寸" } th { "上传人" } th { "SHA-256" } }
                        @for photo in &content.photos {
                            tr { td { (photo.id) } td { (photo.size.0) "×" (photo.size.1) } td { (photo.uploaded_by) } td.hash { (photo.sha256) } }
                        }
                    }
                }
                (heading("九、界线示意图", "Map"))
                figure { (PreEscaped(map_svg)) }
                (heading("十、签署", "Signatures"))
                p { "报告内容摘要（SHA-256）：" span.hash { (hash) } }
                table {
                    tr { th { "签署方" } th { "签署人" } th { "时间" } th { "状态" } }
                    @for side in [lead, cooperating] {
                        @let mine: Vec<&SignatureLine> = signatures.iter().filter(|s| s.side == side.code).collect();
                        @if mine.is_empty() {
                            tr { td { (side.name) } td { "—" } td { "—" } td { "待签署" } }
                        }
                        @for signature in mine {
                            tr class=(if signature.valid { "" } else { "void" }) {
                                td { (side.name) } td { (signature.signer) }
                                td { (signature.signed_at.format("%Y-%m-%d %H:%M UTC").to_string()) }
                                td { (if signature.valid { "有效" } else { "已作废（内容变更）" }) }
                            }
                        }
                    }
                }
            } }
        }
    };
    page.into_string()
}

/// The updated marker register (界桩登记表) of the round: one sheet per marker, its registered
/// entry with the position a completed move gives it, and what the inspection found.
pub fn register_html(content: &ReportContent) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "界桩登记表 — " (content.title) }
                style { (PreEscaped(STYLE)) }
            }
            body { main {
                h1 { "界桩登记表" }
                p.en style="text-align:center" { "Marker register after the joint inspection — " (content.title) }
                @for row in &content.markers {
                    @let moved = content.tasks.iter().find(|t| t.marker_number == row.number && t.status == "done" && t.new_position.is_some());
                    @let held = row.held();
                    div.sheet {
                        table {
                            tr { th { "界桩编号" } td { (row.number) } th { "界桩类型" } td { (row.marker_type) } }
                            tr { th { "所在界线" } td { (content.line.code) } th { "负责方" } td { (row.lead.as_deref().map(|c| content.side_name(c)).unwrap_or_else(|| "—".into())) } }
                            tr { th { "材质" } td { (row.material.as_deref().unwrap_or("—")) } th { "埋设日期" } td { (row.installed_on.as_deref().unwrap_or("—")) } }
                            tr { th { "登记坐标（CGCS2000）" } td colspan="3" {
                                @if let Some((lon, lat)) = moved.and_then(|t| t.new_position) {
                                    (format!("{lon:.9}, {lat:.9}")) "（本轮移设；原位置 " (format!("{:.9}, {:.9}", row.lon, row.lat)) "）"
                                } @else { (format!("{:.9}, {:.9}", row.lon, row.lat)) }
                            } }
                            tr { th { "原测坐标" } td colspan="3" { (row.surveyed.0) "：" (format!("{}, {}", row.surveyed.1, row.surveyed.2)) } }
                            tr { th { "方位物" } td colspan="3" {
                                @if row.references.is_empty() { "—" }
                                @for reference in &row.references { (reference.name) "：方位角 " (format!("{:.1}°", reference.bearing_deg)) "，距离 " (format!("{:.2} 米", reference.distance_m)) br; }
                            } }
                            tr { th { "本次检查状况" } td { (condition(held)) } th { "核对结论" } td { (row.verdict.label_zh()) } }
                            tr { th { "注记" } td { (held.and_then(|f| f.inscription).map_or("—", |i| i.label_zh())) } th { "实测偏移" } td {
                                @match held.and_then(|f| f.position.as_ref()) {
                                    Some(p) => { (format!("{:.3} 米", p.offset_m)) @if p.exceeds_tolerance { "（超限）" } }
                                    None => { "—" }
                                }
                            } }
                            tr { th { "维护" } td colspan="3" {
                                @let tasks: Vec<_> = content.tasks.iter().filter(|t| t.marker_number == row.number).collect();
                                @if tasks.is_empty() { "—" }
                                @for task in tasks { (task_action(&task.action)) "（" (content.side_name(&task.side)) "，" (if task.status == "done" { "已完成" } else { "未完成" }) "）" br; }
                            } }
                        }
                    }
                }
            } }
        }
    };
    page.into_string()
}

/// Quotes a CSV field when it must be.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Every side's finding of every item as CSV: UTF-8 with a byte-order mark and CRLF line ends,
/// so that Excel opens the Chinese as it is.
pub fn findings_csv(content: &ReportContent) -> String {
    let mut out = String::from(
        "\u{feff}检查项,一方,一方代码,观测日期,状况,注记,坐标系,实测X,实测Y,经度,纬度,偏移(米),超限,方位物,界线可辨认,变化,照片,备注,核对结论\r\n",
    );
    let mut row = |subject: &str, side: &str, finding: &Finding, verdict: &str| {
        let position = finding.position.as_ref();
        let references: Vec<String> = finding
            .references
            .iter()
            .map(|r| match (r.found, r.bearing_deg, r.distance_m) {
                (true, Some(b), Some(d)) => format!("{} 找到 {b}° {d}米", r.name),
                (true, _, _) => format!("{} 找到", r.name),
                (false, _, _) => format!("{} 未找到", r.name),
            })
            .collect();
        let changes: Vec<String> = finding
            .changes
            .iter()
            .map(|c| format!("{}：{}", c.kind.label_zh(), c.description))
            .collect();
        let fields = [
            subject.to_string(),
            content.side_name(side),
            side.to_string(),
            finding.observed_on.to_string(),
            finding
                .condition
                .map_or(String::new(), |c| c.label_zh().to_string()),
            finding
                .inscription
                .map_or(String::new(), |i| i.label_zh().to_string()),
            position.map_or(String::new(), |p| p.crs.clone()),
            position.map_or(String::new(), |p| p.x.to_string()),
            position.map_or(String::new(), |p| p.y.to_string()),
            position.map_or(String::new(), |p| format!("{:.9}", p.lon)),
            position.map_or(String::new(), |p| format!("{:.9}", p.lat)),
            position.map_or(String::new(), |p| format!("{:.3}", p.offset_m)),
            position.map_or(String::new(), |p| {
                if p.exceeds_tolerance { "是" } else { "否" }.to_string()
            }),
            references.join("；"),
            finding
                .line_identifiable
                .map_or(String::new(), |b| if b { "是" } else { "否" }.to_string()),
            changes.join("；"),
            finding
                .all_photo_ids()
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            finding.notes.clone().unwrap_or_default(),
            verdict.to_string(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    };
    for marker in &content.markers {
        for (side, finding) in &marker.findings {
            row(&marker.number, side, finding, marker.verdict.label_zh());
        }
    }
    for stretch in &content.stretches {
        for (side, finding) in &stretch.findings {
            row(&stretch.subject, side, finding, stretch.verdict.label_zh());
        }
    }
    out
}

/// A line's parts, each a list of (lon, lat).
type Parts = Vec<Vec<(f64, f64)>>;

/// The parts of a GeoJSON LineString or MultiLineString.
fn line_parts(value: &Value) -> Parts {
    let point = |p: &Value| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?));
    let part = |line: &Value| -> Vec<(f64, f64)> {
        line.as_array()
            .map(|points| points.iter().filter_map(point).collect())
            .unwrap_or_default()
    };
    match (value["type"].as_str(), &value["coordinates"]) {
        (Some("LineString"), coordinates) => vec![part(coordinates)],
        (Some("MultiLineString"), Value::Array(parts)) => parts.iter().map(part).collect(),
        _ => Vec::new(),
    }
}

/// The colour of the condition that holds at a marker.
fn condition_colour(condition: Option<FoundCondition>) -> &'static str {
    match condition {
        Some(FoundCondition::Intact) => "#2e7d32",
        Some(FoundCondition::Tilted | FoundCondition::Damaged | FoundCondition::Buried) => {
            "#ef6c00"
        }
        Some(FoundCondition::Missing | FoundCondition::Destroyed) => "#b71c1c",
        Some(FoundCondition::Moved) => "#6a1b9a",
        None => "#9e9e9e",
    }
}

/// Map width in SVG units.
const MAP_WIDTH: f64 = 960.0;
/// Margin around the drawing.
const MAP_MARGIN: f64 = 40.0;
/// Room right of the drawing for the labels of the easternmost markers.
const LABEL_ROOM: f64 = 90.0;
/// Room below the drawing for the legend.
const LEGEND_HEIGHT: f64 = 70.0;

/// The line, its markers and both sides' claims as SVG, from the report's content and the
/// line's geometry (GeoJSON, CGCS2000): a local equirectangular projection scaled by the
/// cosine of the mean latitude (true to a few parts in a thousand over a county line).
pub fn map_svg(content: &ReportContent, line: &Value) -> String {
    let parts = line_parts(line);
    let claims: Vec<(&str, Parts)> = content
        .disputes
        .iter()
        .flat_map(|d| d.claims.iter())
        .filter_map(|c| Some((c.colour.as_str(), line_parts(c.line.as_ref()?))))
        .collect();
    let mut points: Vec<(f64, f64)> = parts.iter().flatten().copied().collect();
    points.extend(content.markers.iter().map(|m| (m.lon, m.lat)));
    points.extend(claims.iter().flat_map(|(_, p)| p.iter().flatten().copied()));
    if points.is_empty() {
        points.push((0.0, 0.0));
    }
    let (mut west, mut east, mut south, mut north) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (lon, lat) in &points {
        west = west.min(*lon);
        east = east.max(*lon);
        south = south.min(*lat);
        north = north.max(*lat);
    }
    let cos = ((south + north) / 2.0).to_radians().cos().max(0.1);
    let span_x = ((east - west) * cos).max(1e-6);
    let span_y = (north - south).max(1e-6);
    let scale = (MAP_WIDTH - 2.0 * MAP_MARGIN - LABEL_ROOM) / span_x.max(span_y);
    let height = span_y * scale + 2.0 * MAP_MARGIN + LEGEND_HEIGHT;
    let at = |(lon, lat): (f64, f64)| {
        (
            MAP_MARGIN + (lon - west) * cos * scale,
            MAP_MARGIN + (north - lat) * scale,
        )
    };
    let path = |part: &[(f64, f64)]| {
        part.iter()
            .enumerate()
            .map(|(i, p)| {
                let (x, y) = at(*p);
                format!("{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" })
            })
            .collect::<String>()
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {MAP_WIDTH} {height:.0}" width="{MAP_WIDTH}" height="{height:.0}" font-family="sans-serif" font-size="12" role="img" aria-label="{}">"#,
        escape_xml(&content.title)
    );
    let _ = write!(
        svg,
        r##"<rect width="100%" height="100%" fill="#fbfaf7"/><title>{}</title>"##,
        escape_xml(&content.title)
    );
    for part in &parts {
        let _ = write!(
            svg,
            r##"<path d="{}" fill="none" stroke="#333" stroke-width="2.5"/>"##,
            path(part)
        );
    }
    for (colour, claim) in &claims {
        let stroke = if *colour == "red" {
            "#d32f2f"
        } else {
            "#1565c0"
        };
        for part in claim {
            let _ = write!(
                svg,
                r#"<path d="{}" fill="none" stroke="{stroke}" stroke-width="2" stroke-dasharray="8 4"/>"#,
                path(part)
            );
        }
    }
    for marker in &content.markers {
        let (x, y) = at((marker.lon, marker.lat));
        let held = marker.held();
        let colour = condition_colour(held.and_then(|f| f.condition));
        let ring = if marker.verdict == Verdict::Differing {
            r##" stroke="#000" stroke-width="2" stroke-dasharray="2 2""##
        } else {
            r##" stroke="#fff" stroke-width="1.5""##
        };
        let _ = write!(
            svg,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="7" fill="{colour}"{ring}><title>{} {}</title></circle>"#,
            escape_xml(&marker.number),
            escape_xml(&condition(held))
        );
        let label = marker
            .number
            .strip_prefix(&content.line.code)
            .unwrap_or(&marker.number);
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" fill="#222">{}</text>"##,
            x + 9.0,
            y - 9.0,
            escape_xml(label)
        );
        // The measured offset: its direction, drawn 4 px to the metre (at most 60 px).
        // Each side's measured offset: its direction, drawn 4 px to the metre (6 to 60 px),
        // and its length in a label of its own line below the marker's number.
        let mut labels = 0;
        for (side, finding) in &marker.findings {
            let Some(position) = &finding.position else {
                continue;
            };
            let (mx, my) = at((position.lon, position.lat));
            let (dx, dy) = (mx - x, my - y);
            let length = (dx * dx + dy * dy).sqrt();
            if position.offset_m < 0.001 || length == 0.0 {
                continue;
            }
            let drawn = (position.offset_m * 4.0).clamp(6.0, 60.0);
            let (ex, ey) = (x + dx / length * drawn, y + dy / length * drawn);
            let colour = if position.exceeds_tolerance {
                "#b71c1c"
            } else {
                "#555"
            };
            let _ = write!(
                svg,
                r#"<line x1="{x:.1}" y1="{y:.1}" x2="{ex:.1}" y2="{ey:.1}" stroke="{colour}" stroke-width="1.5"/><text x="{:.1}" y="{:.1}" fill="{colour}" font-size="10">{} {:.2} m</text>"#,
                x + 9.0,
                y + 6.0 + 11.0 * f64::from(labels),
                escape_xml(&content.side_name(side)),
                position.offset_m
            );
            labels += 1;
        }
    }
    // Scale bar: a round number of metres near a fifth of the width.
    let metres_per_unit = 111_320.0 / scale;
    let target = metres_per_unit * MAP_WIDTH / 5.0;
    let magnitude = 10f64.powf(target.log10().floor());
    let bar_m = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|f| f * magnitude)
        .rfind(|m| *m <= target)
        .unwrap_or(magnitude);
    let bar = bar_m / metres_per_unit;
    let base = height - LEGEND_HEIGHT + 10.0;
    let _ = write!(
        svg,
        r##"<line x1="{MAP_MARGIN}" y1="{base:.1}" x2="{:.1}" y2="{base:.1}" stroke="#000" stroke-width="3"/><text x="{MAP_MARGIN}" y="{:.1}">{}</text>"##,
        MAP_MARGIN + bar,
        base + 16.0,
        if bar_m >= 1000.0 {
            format!("{} km", bar_m / 1000.0)
        } else {
            format!("{bar_m} m")
        }
    );
    let legend = [
        ("#2e7d32", "完好"),
        ("#ef6c00", "倾斜/损坏/掩埋"),
        ("#b71c1c", "丢失/损毁"),
        ("#6a1b9a", "移位"),
        ("#9e9e9e", "未记录/未一致"),
    ];
    let mut x = MAP_MARGIN + 160.0;
    for (colour, label) in legend {
        let _ = write!(
            svg,
            r#"<circle cx="{x:.1}" cy="{base:.1}" r="6" fill="{colour}"/><text x="{:.1}" y="{:.1}">{label}</text>"#,
            x + 10.0,
            base + 4.0
        );
        x += 30.0 + label.chars().count() as f64 * 12.0;
    }
    let second = base + 28.0;
    let _ = write!(
        svg,
        r##"<line x1="{m}" y1="{second:.1}" x2="{:.1}" y2="{second:.1}" stroke="#333" stroke-width="2.5"/><text x="{:.1}" y="{:.1}">界线（协议书）</text><line x1="{:.1}" y1="{second:.1}" x2="{:.1}" y2="{second:.1}" stroke="#d32f2f" stroke-width="2" stroke-dasharray="8 4"/><text x="{:.1}" y="{:.1}">{} 主张线（红）</text><line x1="{:.1}" y1="{second:.1}" x2="{:.1}" y2="{second:.1}" stroke="#1565c0" stroke-width="2" stroke-dasharray="8 4"/><text x="{:.1}" y="{:.1}">{} 主张线（蓝）</text><circle cx="{:.1}" cy="{second:.1}" r="6" fill="none" stroke="#000" stroke-width="2" stroke-dasharray="2 2"/><text x="{:.1}" y="{:.1}">双方记录不一致</text>"##,
        MAP_MARGIN + 30.0,
        MAP_MARGIN + 36.0,
        second + 4.0,
        MAP_MARGIN + 160.0,
        MAP_MARGIN + 190.0,
        MAP_MARGIN + 196.0,
        second + 4.0,
        escape_xml(&red_side_name(content)),
        MAP_MARGIN + 380.0,
        MAP_MARGIN + 410.0,
        MAP_MARGIN + 416.0,
        second + 4.0,
        escape_xml(&blue_side_name(content)),
        MAP_MARGIN + 600.0,
        MAP_MARGIN + 610.0,
        second + 4.0,
        m = MAP_MARGIN,
    );
    svg.push_str("</svg>");
    svg
}

fn sorted_sides(content: &ReportContent) -> [String; 2] {
    let mut codes = [content.sides[0].code.clone(), content.sides[1].code.clone()];
    codes.sort();
    codes
}

fn red_side_name(content: &ReportContent) -> String {
    content.side_name(&sorted_sides(content)[0])
}

fn blue_side_name(content: &ReportContent) -> String {
    content.side_name(&sorted_sides(content)[1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::inspection_records::tests::sample_round;
    use crate::domain::inspection_records::{FindingRecord, RoundRecords};
    use std::collections::BTreeMap;

    fn records() -> RoundRecords {
        let mut round = sample_round(2);
        round.basis.line.geometry = serde_json::json!({
            "type": "LineString", "coordinates": [[120.899, 30.8], [120.902, 30.8]]
        });
        let finding = Finding {
            observed_on: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
            condition: Some(FoundCondition::Damaged),
            inscription: None,
            position: None,
            references: vec![],
            line_identifiable: None,
            changes: vec![],
            photo_ids: vec![],
            notes: Some("桩体\"断裂\", 已报".into()),
            present: BTreeMap::new(),
        };
        RoundRecords {
            round,
            members: vec![],
            findings: vec![FindingRecord {
                side: "330482".into(),
                subject: "330421330482001Q".into(),
                version: 1,
                finding,
                client_id: None,
                captured_at: None,
                recorded_at: Utc::now(),
                author: "x".into(),
            }],
            acceptances: vec![],
            disputes: vec![],
            tasks: vec![],
            photos: vec![],
        }
    }

    #[test]
    fn the_csv_starts_with_a_byte_order_mark_and_quotes_what_it_must() {
        let csv = findings_csv(&records().report());
        assert!(csv.starts_with('\u{feff}'));
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines.len(), 3, "header, one finding, the end: {csv}");
        assert!(lines[1].starts_with("330421330482001Q,平湖市,330482,2026-05-01,损坏,"));
        assert!(
            lines[1].contains("\"桩体\"\"断裂\"\", 已报\""),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn the_map_draws_every_marker_in_its_condition_colour_within_its_frame() {
        let content = records().report();
        let svg = map_svg(&content, &records().round.basis.line.geometry);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(
            svg.matches("<circle cx").count(),
            2 + 6,
            "two markers and the legend"
        );
        assert!(svg.contains("fill=\"#ef6c00\""), "the damaged marker");
        assert!(!svg.contains("<image"), "no tiles");
        assert_eq!(svg.matches("http").count(), 1, "only the SVG namespace");
    }

    #[test]
    fn the_report_page_names_both_sides_and_every_marker() {
        let content = records().report();
        let html = report_html(&content, &content.hash(), &[], "<svg></svg>");
        for text in [
            "嘉善县",
            "平湖市",
            "330421330482001Q",
            "330421330482002Q",
            "待签署",
        ] {
            assert!(html.contains(text), "{text}");
        }
        let register = register_html(&content);
        assert_eq!(register.matches("class=\"sheet\"").count(), 2);
    }
}
