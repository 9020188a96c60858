//! The house-number certificate (门牌证) as a document for the PDF layer: the full standard
//! address, its parts, the road's name and romanization, the point, the day it was assigned,
//! the certificate's number, and the door plate's QR code when the plate is in the inventory.

use super::pdf::model::{
    Align, Block, Document, Figure, Heading, ImageSource, KeyValue, PageSetup, Paragraph, TextStyle,
};

/// What a certificate shows.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// `嘉善县门牌证〔2026〕第 37 号`-style number: the address id and version.
    pub number: String,
    /// The full standard address, province first (as GB/T 39609 orders the parts).
    pub full_address: String,
    /// The standard address as plates write it, from the county down.
    pub standard_address: String,
    /// The road or area, with its romanization.
    pub road: String,
    /// The door number as written (`13-1号`), if any.
    pub door_number: Option<String>,
    /// Building, unit, flat as written (`3幢2单元401室`), if any.
    pub below_door: Option<String>,
    /// The plate of its level (门牌, 楼牌 …).
    pub plate: String,
    /// The point in CGCS2000, `120.930125, 30.835108`.
    pub point: Option<String>,
    /// The day it was assigned, `2026年12月3日`.
    pub assigned_on: String,
    /// The issuing office.
    pub office: String,
    /// The plate's QR code as SVG, and the URL it carries.
    pub qr: Option<(String, String)>,
}

/// The certificate as a one-page document.
pub fn certificate_document(certificate: &Certificate) -> Document {
    let mut document = Document::new(format!("门牌证 {}", certificate.standard_address));
    document.author = Some(certificate.office.clone());
    document.subject = Some("门牌证".into());
    document.page = PageSetup::a4_plain(25.0);
    let centred = |size_pt: f32, bold: bool| TextStyle {
        size_pt,
        bold,
        first_line_indent_em: 0.0,
        align: Align::Center,
        space_after_pt: 6.0,
        ..TextStyle::default()
    };
    document.push(Block::Heading(Heading::new(1, "门　牌　证").not_in_toc()));
    document.push(Block::Paragraph(
        Paragraph::new(format!("编号：{}", certificate.number)).styled(centred(10.5, false)),
    ));
    document.push(Block::Spacer { height_mm: 6.0 });
    document.push(Block::Paragraph(
        Paragraph::new(certificate.full_address.clone()).styled(centred(16.0, true)),
    ));
    document.push(Block::Spacer { height_mm: 4.0 });
    let mut pairs = vec![
        ("标准地址".to_string(), certificate.standard_address.clone()),
        ("道路（街巷、小区）".to_string(), certificate.road.clone()),
    ];
    if let Some(number) = &certificate.door_number {
        pairs.push(("门牌号".into(), number.clone()));
    }
    if let Some(below) = &certificate.below_door {
        pairs.push(("楼栋单元户室".into(), below.clone()));
    }
    pairs.push(("牌类".into(), certificate.plate.clone()));
    if let Some(point) = &certificate.point {
        pairs.push(("坐标（CGCS2000）".into(), point.clone()));
    }
    pairs.push(("编定日期".into(), certificate.assigned_on.clone()));
    document.push(Block::KeyValue(KeyValue {
        pairs,
        size_pt: 12.0,
    }));
    if let Some((svg, url)) = &certificate.qr {
        document.push(Block::Spacer { height_mm: 6.0 });
        document.push(Block::Figure(Figure {
            image: ImageSource::Svg(svg.clone()),
            width_mm: 40.0,
            caption: Some(format!("门牌二维码：{url}")),
        }));
    }
    document.push(Block::Spacer { height_mm: 10.0 });
    let right = TextStyle {
        align: Align::Right,
        first_line_indent_em: 0.0,
        size_pt: 12.0,
        ..TextStyle::default()
    };
    document.push(Block::Paragraph(
        Paragraph::new(certificate.office.clone()).styled(right),
    ));
    document.push(Block::Paragraph(
        Paragraph::new(certificate.assigned_on.clone()).styled(right),
    ));
    document.push(Block::Spacer { height_mm: 8.0 });
    document.push(Block::Paragraph(
        Paragraph::new(
            "本证为门牌编定的凭证。门牌应按编定的号码设置上墙，不得擅自更改、涂改或移动；道路更名或门牌重编时，以地名管理机构公布的门牌号变更对照表为准。",
        )
        .styled(TextStyle {
            size_pt: 9.0,
            ..TextStyle::default()
        }),
    ));
    document
}
