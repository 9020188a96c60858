//! The joint inspection report (联合检查报告) as a typeset document for the PDF layer: the same
//! parts as the report page (the line and round, both sides, counts, the per-marker table, the
//! segments, disputes with both claims, tasks, the photo index, the map, the hash and the
//! signatures), on landscape A4 pages so that the marker table keeps both sides' columns.

use super::inspection::{SignatureLine, condition, dispute_status, task_action};
use crate::domain::inspection_finding::Finding;
use crate::domain::inspection_reconcile::Verdict;
use crate::domain::inspection_records::chinese_number;
use crate::domain::inspection_report::{MarkerRow, ReportContent};
use crate::render::pdf::model::{
    Block, Column, Document, Figure, Heading, ImageSource, KeyValue, PageSetup, Paragraph, Table,
};

/// The report as a document for `render::pdf`, with its hash, signatures and map (SVG).
pub fn report_document(
    content: &ReportContent,
    hash: &str,
    signatures: &[SignatureLine],
    map_svg: &str,
) -> Document {
    let [lead, cooperating] = &content.sides;
    let round = &content.round;
    let counts = &content.counts;
    let mut document = Document::new(content.title.clone());
    document.page = PageSetup::a4_landscape();
    document.subject = Some(format!("界线 {}", content.line.code));
    document.push(Block::RunningHead(content.title.clone()));
    document.push(Heading::new(1, content.title.clone()));

    document.push(Heading::new(2, "一、基本情况"));
    let mut basics = vec![
        ("界线编号".to_string(), content.line.code.clone()),
        (
            "界线长度".to_string(),
            format!("{:.1} 米", content.line.length_m),
        ),
    ];
    if let Some(agreement) = &content.line.agreement {
        basics.push((
            "界线协议书".into(),
            format!(
                "{}（{}，{}签订）",
                agreement.title, agreement.number, agreement.signed_on
            ),
        ));
    }
    if let Some(by) = &content.line.approved_by {
        basics.push(("批准机关".into(), by.clone()));
    }
    let mut which = String::new();
    if let Some(n) = round.number {
        which.push_str(&format!("第{}轮", chinese_number(n)));
    }
    if let Some(cause) = &round.adhoc_cause {
        which.push_str(&format!("专项检查：{cause}"));
    }
    basics.push(("检查轮次".into(), which));
    basics.push((
        "计划时间".into(),
        format!("{} 至 {}", round.planned_start, round.planned_end),
    ));
    if let Some((a, b)) = round.observed {
        basics.push(("实地检查".into(), format!("{a} 至 {b}")));
    }
    basics.push(("位置限差".into(), format!("{} 米", round.tolerance_m)));
    basics.push(("报告编号".into(), round.id.to_string()));
    document.push(KeyValue::new(basics));

    document.push(Heading::new(2, "二、检查双方"));
    let mut sides = Table::new(
        vec![
            Column::new(0.8),
            Column::new(1.4),
            Column::new(1.0),
            Column::new(2.6),
            Column::new(1.2),
        ],
        vec![
            "".into(),
            "行政区域".into(),
            "代码".into(),
            "检查人员".into(),
            "签署人".into(),
        ],
    );
    for (part, side) in [("牵头方", lead), ("配合方", cooperating)] {
        sides.rows.push(vec![
            part.into(),
            side.name.clone(),
            side.code.clone(),
            side.inspectors.join("、"),
            side.signer.clone(),
        ]);
    }
    document.push(sides);

    document.push(Heading::new(2, "三、检查统计"));
    let headers = [
        "登记界桩",
        "已检查",
        "完好",
        "损坏",
        "丢失",
        "移位",
        "已维修",
        "超限",
        "未一致",
        "未解决争议",
    ];
    let mut table = Table::new(
        headers.iter().map(|_| Column::new(1.0)).collect(),
        headers.iter().map(|h| h.to_string()).collect(),
    );
    table.rows.push(
        [
            counts.markers_registered,
            counts.markers_checked,
            counts.intact,
            counts.damaged,
            counts.missing,
            counts.moved,
            counts.repaired,
            counts.beyond_tolerance,
            counts.differing,
            counts.open_disputes,
        ]
        .iter()
        .map(usize::to_string)
        .collect(),
    );
    document.push(table);

    document.push(Heading::new(2, "四、界桩检查情况"));
    let mut markers = Table::new(
        vec![
            Column::new(1.3),
            Column::new(1.5),
            Column::new(0.9),
            Column::new(2.4),
            Column::new(2.4),
            Column::new(1.3),
        ],
        vec![
            "界桩编号".into(),
            "登记坐标（CGCS2000）".into(),
            "负责方".into(),
            lead.name.clone(),
            cooperating.name.clone(),
            "核对结论".into(),
        ],
    );
    for row in &content.markers {
        let mut verdict = row.verdict.label_zh().to_string();
        if let (Verdict::Settled | Verdict::OneSided, Some(side)) = (row.verdict, &row.holding_side)
        {
            verdict.push_str(&format!("\n以{}记录为准", content.side_name(side)));
        }
        markers.rows.push(vec![
            row.number.clone(),
            format!("{:.6}, {:.6}", row.lon, row.lat),
            row.lead
                .as_deref()
                .map(|c| content.side_name(c))
                .unwrap_or_else(|| "—".into()),
            side_text(row, &lead.code),
            side_text(row, &cooperating.code),
            verdict,
        ]);
    }
    document.push(markers);

    document.push(Heading::new(2, "五、界线走向检查"));
    let mut stretches = Table::new(
        vec![
            Column::new(0.8),
            Column::new(1.8),
            Column::new(0.8),
            Column::new(2.4),
            Column::new(2.4),
            Column::new(1.0),
        ],
        vec![
            "段落".into(),
            "起止界桩".into(),
            "长度".into(),
            lead.name.clone(),
            cooperating.name.clone(),
            "核对结论".into(),
        ],
    );
    for row in &content.stretches {
        let subject = if row.subject == "line" {
            "全线".to_string()
        } else {
            format!("{}段", row.subject.replace("segment-", "第"))
        };
        let found = |side: &str| match row.findings.get(side) {
            None => "未记录".to_string(),
            Some(f) => stretch_text(f),
        };
        stretches.rows.push(vec![
            subject,
            format!(
                "{} — {}",
                row.from_marker.as_deref().unwrap_or("端点"),
                row.to_marker.as_deref().unwrap_or("端点")
            ),
            format!("{:.0} 米", row.length_m),
            found(&lead.code),
            found(&cooperating.code),
            row.verdict.label_zh().to_string(),
        ]);
    }
    document.push(stretches);

    document.push(Heading::new(2, "六、争议"));
    if content.disputes.is_empty() {
        document.push(Paragraph::new("无。"));
    }
    for dispute in &content.disputes {
        let mut text = format!(
            "争议 {}（{}）：{}　状态：{}",
            dispute.id,
            dispute.subject,
            dispute.description,
            dispute_status(&dispute.status)
        );
        if let Some(document) = &dispute.resolving_document {
            text.push_str(&format!("，依据{document}"));
        }
        if let Some(from) = dispute.carried_from {
            text.push_str(&format!("（由上轮争议 {from} 转入）"));
        }
        for claim in &dispute.claims {
            text.push_str(&format!(
                "\n{}：{}主张线{}",
                if claim.colour == "red" {
                    "红线"
                } else {
                    "蓝线"
                },
                content.side_name(&claim.side),
                if claim.line.is_none() {
                    "（未提交）"
                } else {
                    ""
                }
            ));
        }
        if !dispute.history.is_empty() {
            let steps: Vec<String> = dispute
                .history
                .iter()
                .map(|step| match &step.note {
                    Some(note) => {
                        format!("{}（{}，{note}）", dispute_status(&step.status), step.by)
                    }
                    None => format!("{}（{}）", dispute_status(&step.status), step.by),
                })
                .collect();
            text.push_str(&format!("\n经过：{}", steps.join(" → ")));
        }
        document.push(Paragraph::new(text));
    }

    document.push(Heading::new(2, "七、维护任务"));
    if content.tasks.is_empty() {
        document.push(Paragraph::new("无。"));
    } else {
        let mut tasks = Table::new(
            vec![
                Column::new(1.3),
                Column::new(1.6),
                Column::new(1.0),
                Column::new(2.0),
                Column::new(1.2),
                Column::new(1.8),
            ],
            vec![
                "界桩".into(),
                "任务".into(),
                "负责方".into(),
                "原因".into(),
                "状态".into(),
                "在场人员".into(),
            ],
        );
        for task in &content.tasks {
            let mut action = task_action(&task.action).to_string();
            if let Some((lon, lat)) = task.new_position {
                action.push_str(&format!("\n新位置 {lon:.6}, {lat:.6}"));
            }
            let status = if task.status == "done" {
                format!(
                    "已完成 {}",
                    task.completed_on.map(|d| d.to_string()).unwrap_or_default()
                )
            } else {
                "未完成".to_string()
            };
            let present: Vec<String> = task
                .present
                .iter()
                .map(|(side, names)| format!("{}：{}", content.side_name(side), names.join("、")))
                .collect();
            tasks.rows.push(vec![
                task.marker_number.clone(),
                action,
                content.side_name(&task.side),
                task.reason.clone().unwrap_or_else(|| "—".into()),
                status,
                present.join("\n"),
            ]);
        }
        document.push(tasks);
    }

    document.push(Heading::new(2, "八、照片索引"));
    if content.photos.is_empty() {
        document.push(Paragraph::new("无。"));
    } else {
        let mut photos = Table::new(
            vec![
                Column::new(1.0),
                Column::new(1.0),
                Column::new(1.2),
                Column::new(4.0),
            ],
            vec![
                "编号".into(),
                "尺寸".into(),
                "上传人".into(),
                "SHA-256".into(),
            ],
        );
        for photo in &content.photos {
            photos.rows.push(vec![
                photo.id.to_string(),
                format!("{}×{}", photo.size.0, photo.size.1),
                photo.uploaded_by.clone(),
                photo.sha256.clone(),
            ]);
        }
        document.push(photos);
    }

    document.push(Block::PageBreak);
    document.push(Heading::new(2, "九、界线示意图"));
    document.push(Figure {
        image: ImageSource::Svg(map_svg.to_string()),
        width_mm: 200.0,
        caption: Some("界桩按检查状况着色；红线、蓝线为双方主张线".into()),
    });

    document.push(Heading::new(2, "十、签署"));
    document.push(Paragraph::new(format!("报告内容摘要（SHA-256）：{hash}")));
    let mut signed = Table::new(
        vec![
            Column::new(1.4),
            Column::new(1.4),
            Column::new(1.6),
            Column::new(1.6),
        ],
        vec![
            "签署方".into(),
            "签署人".into(),
            "时间".into(),
            "状态".into(),
        ],
    );
    for side in [lead, cooperating] {
        let mine: Vec<&SignatureLine> = signatures.iter().filter(|s| s.side == side.code).collect();
        if mine.is_empty() {
            signed.rows.push(vec![
                side.name.clone(),
                "—".into(),
                "—".into(),
                "待签署".into(),
            ]);
        }
        for signature in mine {
            signed.rows.push(vec![
                side.name.clone(),
                signature.signer.clone(),
                signature.signed_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                if signature.valid {
                    "有效".into()
                } else {
                    "已作废（内容变更）".into()
                },
            ]);
        }
    }
    document.push(signed);
    document
}

/// What one side found of a marker, in words.
fn side_text(row: &MarkerRow, side: &str) -> String {
    let Some(finding) = row.findings.get(side) else {
        return "未记录".into();
    };
    let mut text = condition(Some(finding));
    if let Some(inscription) = finding.inscription {
        text.push_str(&format!("，注记{}", inscription.label_zh()));
    }
    if let Some(position) = &finding.position {
        text.push_str(&format!("\n偏移 {:.3} 米", position.offset_m));
        if position.exceeds_tolerance {
            text.push_str("（超限）");
        }
    }
    for reference in &finding.references {
        text.push_str(&format!("\n{}：", reference.name));
        if reference.found {
            text.push_str("找到");
            if let (Some(b), Some(d)) = (reference.bearing_deg, reference.distance_m) {
                text.push_str(&format!(" {b:.1}° {d:.2} 米"));
            }
        } else {
            text.push_str("未找到");
        }
    }
    text
}

/// What one side found of a segment or the line, in words.
fn stretch_text(finding: &Finding) -> String {
    let mut parts = Vec::new();
    match finding.line_identifiable {
        Some(true) => parts.push("界线可辨认".to_string()),
        Some(false) => parts.push("界线难以辨认".to_string()),
        None => {}
    }
    for change in &finding.changes {
        parts.push(format!(
            "{}：{}",
            change.kind.label_zh(),
            change.description
        ));
    }
    if let Some(notes) = &finding.notes {
        parts.push(notes.clone());
    }
    parts.join("\n")
}
