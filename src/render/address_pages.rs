//! The public pages of the address register: the published old→new tables of renamed roads
//! (门牌号变更对照表), one page each and the list of them, Chinese first with English beside the
//! headings, in the naming pages' style. Every text is escaped by maud.

use maud::html;

use super::naming_pages::layout;
use crate::domain::plate_campaign::Renumbering;

/// The page of one published table: the road's old and new name, when the new numbers took
/// effect, the day the plates are replaced by, and every old and new address.
pub fn renumbering_page(table: &Renumbering) -> String {
    let title = format!("{}门牌号变更对照表", table.road_name);
    let body = html! {
        p.note {
            "经批准，" (table.old_road_name) "更名为" (table.road_name) "，门牌号自"
            (table.applied_on.format("%Y年%m月%d日")) "起变更；旧门牌于"
            (table.replace_by.format("%Y年%m月%d日")) "前更换。原门牌证可凭本表换发。"
        }
        p.en { "Renamed road: the old and the new address of every door, building, unit and flat. Plates are replaced by " (table.replace_by) "." }
        table {
            thead { tr { th { "原地址 Old address" } th { "新地址 New address" } } }
            tbody {
                @for row in &table.rows {
                    tr { td { (row.old_address) } td { (row.new_address) } }
                }
            }
        }
        p { "说明：" (table.comment) }
        footer { "共" (table.rows.len()) "条 · 表号 " (table.id) " · " a href="/public/addresses/renumberings" { "全部对照表 All tables" } }
    };
    layout(
        &title,
        "Table of house numbers changed (old → new)",
        None,
        body,
    )
}

/// The list of published tables, newest first.
pub fn renumbering_list_page(tables: &[Renumbering]) -> String {
    let body = html! {
        @if tables.is_empty() {
            p { "暂无门牌号变更。" span.en { " No house numbers have changed." } }
        }
        @for table in tables {
            article {
                h2 { a href=(format!("/public/addresses/renumberings/{}", table.id)) { (table.road_name) } }
                p.py { "原名 " (table.old_road_name) " · " (table.applied_on) " 起变更 · " (table.rows.len()) " 条 · 旧门牌 " (table.replace_by) " 前更换" }
            }
        }
    };
    layout(
        "门牌号变更对照表",
        "House numbers changed after road renamings",
        None,
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::address::AddressLevel;
    use crate::domain::plate_campaign::RenumberingRow;

    #[test]
    fn the_table_shows_every_row_escaped() {
        let table = Renumbering {
            id: 3,
            road_id: 9,
            division_code: "330421002".into(),
            old_road_name: "塘东路".into(),
            road_name: "塘东<大道>".into(),
            applied_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
            replace_by: chrono::NaiveDate::from_ymd_opt(2027, 3, 3).unwrap(),
            rows: vec![RenumberingRow {
                old_address_id: 1,
                new_address_id: Some(5),
                level: AddressLevel::Door,
                old_address: "嘉善县西塘镇塘东路1号".into(),
                new_address: "嘉善县西塘镇塘东<大道>3号".into(),
            }],
            comment: "道路更名后门牌重编".into(),
            created_by_name: "jiashan".into(),
        };
        let page = renumbering_page(&table);
        assert!(page.contains("嘉善县西塘镇塘东路1号"));
        assert!(page.contains("塘东&lt;大道&gt;3号") && !page.contains("<大道>"));
        assert!(page.contains("2027年03月03日"));
        assert!(renumbering_list_page(&[table]).contains("/public/addresses/renumberings/3"));
    }
}
