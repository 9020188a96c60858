//! The public pages of the naming procedure: names under public notice with a comment form
//! (works without JavaScript), announcements (公告) with their six fields by division and date,
//! their Atom feed (RFC 4287), and a heritage name's page. Chinese first, English beside the
//! headings. Every text is escaped (maud for HTML, `escape_xml` for the feed).

use chrono::{DateTime, NaiveDate, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Serialize;

use super::escape_xml;
use crate::domain::naming::Announcement;

/// A name under public notice as the public sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    /// The application's number.
    pub id: i64,
    /// `naming` or `renaming`.
    pub kind: &'static str,
    /// The name proposed.
    pub proposed_name: String,
    /// The name in force (renaming).
    pub current_name: Option<String>,
    /// The division, from the province down.
    pub division_name: String,
    /// Where the feature is.
    pub location: String,
    /// The plan.
    pub plan: String,
    /// Why.
    pub reasons: String,
    /// What the name means.
    pub meaning: Option<String>,
    /// The rules' romanization of the proposed name.
    pub romanization: Option<String>,
    /// The first day of the notice.
    pub starts_on: NaiveDate,
    /// The last day comments are taken.
    pub ends_on: NaiveDate,
}

/// A listed heritage name as its public page shows it.
#[derive(Debug, Clone)]
pub struct HeritagePage {
    /// The listing's number (its page is `/public/naming/heritage/{id}`).
    pub id: i64,
    /// The name.
    pub name: String,
    /// Its romanization.
    pub romanization: Option<String>,
    /// The division, province down.
    pub division_name: String,
    /// Since when it is attested.
    pub attested_since: String,
    /// About how old it is.
    pub age_years: u32,
    /// Its story.
    pub story: String,
    /// The documents that attest it.
    pub documents: Vec<String>,
    /// When it was listed, and in which batch.
    pub listed_on: Option<NaiveDate>,
    /// The list batch (第一批).
    pub list_batch: Option<String>,
    /// The protection measures.
    pub protection: Vec<String>,
    /// The record's meaning and history.
    pub meaning: Option<String>,
    /// The record's history.
    pub history: Option<String>,
}

const STYLE: &str = "body{margin:0;font:16px/1.6 system-ui,'Noto Sans CJK SC','PingFang SC',sans-serif;color:#1b1b1b}\
main{max-width:48rem;margin:0 auto;padding:1rem}header{background:#8a1c1c;color:#fff;padding:1rem}\
header h1{margin:0;font-size:1.6rem}.en{opacity:.85;font-size:.9rem;margin:0}\
article{border:1px solid #ddd;border-radius:6px;padding:.8rem 1rem;margin:1rem 0}\
article h2{margin:.2rem 0;font-size:1.4rem}.py{color:#555;margin:0}dl{margin:.4rem 0}\
dt{font-weight:600;margin-top:.5rem}dd{margin:0;white-space:pre-line}.note{background:#fff4d6;padding:.6rem;border-radius:6px}\
form label{display:block;margin-top:.5rem}textarea,input,button{font:inherit;width:100%;box-sizing:border-box}\
button{margin-top:.6rem;padding:.5rem;background:#8a1c1c;color:#fff;border:0;border-radius:6px}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}\
footer{font-size:.8rem;color:#595959;margin:2rem 0 1rem}";

pub(crate) fn layout(title: &str, english: &str, feed: Option<&str>, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { (title) }
                @if let Some(feed) = feed {
                    link rel="alternate" type="application/atom+xml" title=(title) href=(feed);
                }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header { h1 { (title) } p.en { (english) } }
                main { (body) }
            }
        }
    }
    .into_string()
}

/// The page of names under public notice, each with its comment form; `message` is shown on
/// top (the answer to a comment just sent).
pub fn notices_page(notices: &[Notice], today: NaiveDate, message: Option<&str>) -> String {
    let body = html! {
        @if let Some(message) = message { p.note role="status" { (message) } }
        p { "以下地名命名、更名方案正在公示，公示期内欢迎提出意见。" br; "Proposed names under public notice; comments are welcome until the last day." }
        @if notices.is_empty() { p { "（" (today) " 无公示中的地名）" } }
        @for notice in notices {
            article id=(format!("n{}", notice.id)) {
                h2 { (notice.proposed_name) }
                @if let Some(py) = &notice.romanization { p.py { (py) } }
                dl {
                    dt { "类型 Kind" }
                    dd { @if notice.kind == "renaming" { "更名" @if let Some(old) = &notice.current_name { "（原名：" (old) "）" } } @else { "命名" } }
                    dt { "所属行政区划 Division" } dd { (notice.division_name) }
                    dt { "位置 Location" } dd { (notice.location) }
                    dt { "方案 Plan" } dd { (notice.plan) }
                    dt { "理由 Reasons" } dd { (notice.reasons) }
                    @if let Some(meaning) = &notice.meaning { dt { "含义 Meaning" } dd { (meaning) } }
                    dt { "公示期 Notice period" } dd { (notice.starts_on) " 至 " (notice.ends_on) }
                }
                form method="post" action=(format!("/public/naming/notices/{}/comments", notice.id)) {
                    label { "意见（1–1000 字） Your comment" textarea name="text" rows="4" required maxlength="1000" {} }
                    label { "姓名（可不填） Name (optional)" input name="name" maxlength="50"; }
                    label { "联系方式（可不填） Contact (optional)" input name="contact" maxlength="100"; }
                    button type="submit" { "提交意见 Send" }
                }
            }
        }
        footer { "依据《地名管理条例》（2022）第十一条。" }
    };
    layout("地名命名更名公示", "Names under public notice", None, body)
}

/// The page of announcements, newest first, with the six fields of art. 14.
pub fn announcements_page(entries: &[Announcement], filter: &str) -> String {
    let body = html! {
        p { "依据《地名管理条例》第十四条公告的标准地名。" br; "Standard names announced under art. 14." }
        @if !filter.is_empty() { p.note { (filter) } }
        p { a href="/public/naming/announcements.atom" { "订阅 Atom feed" } }
        @if entries.is_empty() { p { "暂无公告。No announcements." } }
        @for entry in entries {
            article id=(format!("a{}", entry.id)) {
                h2 { (entry.standard_name) }
                table {
                    tr { th { "标准名称 Standard name" } td { (entry.standard_name) @if let Some(old) = &entry.former_name { "（原名 " (old) "）" } } }
                    tr { th { "罗马字母拼写 Romanization" } td { (entry.romanization) } }
                    tr { th { "所属行政区划 Division" } td { (entry.division_name) " (" (entry.division_code) ")" } }
                    tr { th { "地理位置 Location" } td { (entry.location) } }
                    tr { th { "批准机关 Approving authority" } td { (entry.approving_authority) } }
                    tr { th { "批准时间 Approved on" } td { (entry.approved_on) @if let Some(number) = &entry.document_number { "（" (number) "）" } } }
                }
                p { "公告日期 Announced " (entry.announced_on) " · " a href=(format!("/api/v1/places/{}", entry.place_id)) { "地名记录 Record" } }
            }
        }
    };
    layout(
        "标准地名公告",
        "Announcements of standard names",
        Some("/public/naming/announcements.atom"),
        body,
    )
}

/// The Atom feed of announcements (`base` is the public address without a trailing slash).
pub fn announcements_feed(entries: &[Announcement], base: &str) -> String {
    let updated = entries
        .iter()
        .map(|e| e.published_at)
        .max()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let mut xml = String::with_capacity(1024 + entries.len() * 800);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    xml.push_str("<title>标准地名公告</title>\n");
    xml.push_str(&format!(
        "<id>{}/public/naming/announcements</id>\n",
        escape_xml(base)
    ));
    xml.push_str(&format!(
        "<link rel=\"self\" href=\"{0}/public/naming/announcements.atom\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{0}/public/naming/announcements\"/>\n",
        escape_xml(base)
    ));
    xml.push_str(&format!(
        "<updated>{}</updated>\n<author><name>地名管理机关</name></author>\n",
        updated.to_rfc3339()
    ));
    for entry in entries {
        let summary = format!(
            "标准名称：{}{}；罗马字母拼写：{}；所属行政区划：{}；地理位置：{}；批准机关：{}；批准时间：{}{}",
            entry.standard_name,
            entry
                .former_name
                .as_ref()
                .map(|o| format!("（原名{o}）"))
                .unwrap_or_default(),
            entry.romanization,
            entry.division_name,
            entry.location,
            entry.approving_authority,
            entry.approved_on,
            entry
                .document_number
                .as_ref()
                .map(|n| format!("（{n}）"))
                .unwrap_or_default(),
        );
        xml.push_str("<entry>\n");
        xml.push_str(&format!(
            "<title>{}</title>\n",
            escape_xml(&entry.standard_name)
        ));
        xml.push_str(&format!(
            "<id>{}/public/naming/announcements#a{}</id>\n",
            escape_xml(base),
            entry.id
        ));
        xml.push_str(&format!(
            "<link rel=\"alternate\" type=\"text/html\" href=\"{}/public/naming/announcements#a{}\"/>\n",
            escape_xml(base),
            entry.id
        ));
        xml.push_str(&format!(
            "<link rel=\"related\" type=\"application/geo+json\" href=\"{}/api/v1/places/{}\"/>\n",
            escape_xml(base),
            entry.place_id
        ));
        xml.push_str(&format!(
            "<updated>{}</updated>\n",
            entry.published_at.to_rfc3339()
        ));
        xml.push_str(&format!(
            "<published>{}</published>\n",
            entry.published_at.to_rfc3339()
        ));
        xml.push_str(&format!(
            "<category term=\"{}\"/>\n",
            escape_xml(&entry.division_code)
        ));
        xml.push_str(&format!("<summary>{}</summary>\n", escape_xml(&summary)));
        xml.push_str("</entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

/// The public page of a listed heritage name.
pub fn heritage_page(page: &HeritagePage) -> String {
    let body = html! {
        article {
            h2 { (page.name) }
            @if let Some(py) = &page.romanization { p.py { (py) } }
            dl {
                dt { "所属行政区划 Division" } dd { (page.division_name) }
                dt { "始见于 Attested since" } dd { (page.attested_since) "（约 " (page.age_years) " 年）" }
                @if let Some(day) = page.listed_on {
                    dt { "列入名录 Listed" } dd { (day) @if let Some(batch) = &page.list_batch { " · " (batch) } }
                }
                dt { "地名故事 The story" } dd { (page.story) }
                @if let Some(meaning) = &page.meaning { dt { "地名含义 Meaning" } dd { (meaning) } }
                @if let Some(history) = &page.history { dt { "历史沿革 History" } dd { (history) } }
                @if !page.documents.is_empty() {
                    dt { "文献 Documents" }
                    dd { ul { @for d in &page.documents { li { (d) } } } }
                }
                @if !page.protection.is_empty() {
                    dt { "保护措施 Protection" }
                    dd { ul { @for p in &page.protection { li { (p) } } } }
                }
            }
        }
        footer { "地名文化遗产保护名录（《地名管理条例》第二十五条）。" }
    };
    layout(
        &format!("地名文化遗产：{}", page.name),
        "Place-name heritage",
        None,
        body,
    )
}

/// The public list of heritage names, each linking to its page.
pub fn heritage_list_page(entries: &[HeritagePage]) -> String {
    let body = html! {
        p { "列入地名文化遗产保护名录的地名。" br; "Names on the place-name heritage protection list." }
        @if entries.is_empty() { p { "（暂无列入名录的地名）" } }
        @for entry in entries {
            article {
                h2 { a href=(format!("/public/naming/heritage/{}", entry.id)) { (entry.name) } }
                @if let Some(py) = &entry.romanization { p.py { (py) } }
                p { (entry.division_name) " · " (entry.attested_since)
                    @if let Some(day) = entry.listed_on { " · 列入 " (day) }
                    @if let Some(batch) = &entry.list_batch { "（" (batch) "）" } }
            }
        }
        footer { "地名文化遗产保护名录（《地名管理条例》第二十五条）。" }
    };
    layout(
        "地名文化遗产保护名录",
        "Place-name heritage list",
        None,
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Announcement {
        Announcement {
            id: 3,
            application_id: 1,
            place_id: 9,
            standard_name: "云湖路".into(),
            former_name: Some("<旧>路".into()),
            romanization: "Yunhu Lu".into(),
            division_code: "330421102".into(),
            division_name: "浙江省嘉兴市嘉善县大云镇".into(),
            location: "东起 A & B".into(),
            approving_authority: "嘉善县人民政府".into(),
            approved_on: NaiveDate::from_ymd_opt(2026, 3, 10).unwrap(),
            document_number: Some("善政发〔2026〕5号".into()),
            announced_on: NaiveDate::from_ymd_opt(2026, 3, 12).unwrap(),
            published_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_feed_is_escaped_and_names_every_field() {
        let feed = announcements_feed(&[entry()], "https://dm.example.gov.cn");
        assert!(feed.contains("&lt;旧&gt;路"));
        assert!(feed.contains("东起 A &amp; B"));
        for field in [
            "Yunhu Lu",
            "嘉善县大云镇",
            "嘉善县人民政府",
            "2026-03-10",
            "/api/v1/places/9",
        ] {
            assert!(feed.contains(field), "{field}");
        }
    }

    #[test]
    fn the_page_shows_the_six_fields() {
        let page = announcements_page(&[entry()], "");
        for label in [
            "标准名称",
            "罗马字母拼写",
            "所属行政区划",
            "地理位置",
            "批准机关",
            "批准时间",
        ] {
            assert!(page.contains(label), "{label}");
        }
        assert!(page.contains("&lt;旧&gt;路"));
    }
}
