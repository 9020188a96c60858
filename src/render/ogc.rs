//! The pages of the OGC API for people with a browser: any of its JSON documents drawn as
//! HTML without scripts — its links as a list, collections and features as tables (the
//! features' first-level properties as columns), conformance classes as a list, anything else
//! as a definition list. Chinese first, English beside it. Every text is escaped by maud.

use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde_json::Value;

const STYLE: &str = "body{margin:0;font:15px/1.5 system-ui,'Noto Sans CJK SC','PingFang SC',sans-serif;color:#1b1b1b}\
header{background:#1d4e89;color:#fff;padding:.8rem 1rem}header h1{margin:0;font-size:1.4rem}.en{opacity:.85;margin:0}\
main{padding:1rem;max-width:80rem}table{border-collapse:collapse;margin:.5rem 0}\
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top;max-width:24rem;overflow-wrap:anywhere}\
th{background:#f0f3f7}dt{font-weight:600;margin-top:.4rem}dd{margin:0 0 0 1rem;overflow-wrap:anywhere}\
a{color:#1d4e89}code{font-size:.85rem}";

/// The page of `document`, titled in Chinese and English.
pub fn page(title: &str, english: &str, document: &Value) -> String {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { (title) " — " (english) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header { h1 { (title) } p.en { (english) } }
                main { (body(document)) }
            }
        }
    }
    .into_string()
}

fn body(document: &Value) -> Markup {
    let Value::Object(members) = document else {
        return value(document);
    };
    html! {
        @if let Some(Value::String(description)) = members.get("description") { p { (description) } }
        @if let (Some(matched), Some(returned)) = (members.get("numberMatched"), members.get("numberReturned")) {
            p { "共 " (matched) " 个，本页 " (returned) " 个。 " (matched) " matched, " (returned) " on this page." }
        }
        @if let Some(Value::Array(links)) = members.get("links") { (link_list(links)) }
        @if let Some(Value::Array(collections)) = members.get("collections") { (collection_table(collections)) }
        @if let Some(Value::Array(features)) = members.get("features") { (feature_table(features)) }
        @if let Some(Value::Array(classes)) = members.get("conformsTo") {
            h2 { "符合的标准类 Conformance classes" }
            ul { @for class in classes { li { code { (text(class)) } } } }
        }
        @if members.get("type").and_then(Value::as_str) == Some("Feature") {
            h2 { "属性 Properties" }
            (value(members.get("properties").unwrap_or(&Value::Null)))
            h2 { "几何 Geometry" }
            p { code { (members.get("geometry").map(Value::to_string).unwrap_or_default()) } }
        }
        @if !["links", "collections", "features", "conformsTo", "type"].iter().any(|k| members.contains_key(*k)) {
            (value(document))
        }
    }
}

fn link_list(links: &[Value]) -> Markup {
    html! {
        h2 { "链接 Links" }
        ul {
            @for link in links {
                @let href = link.get("href").and_then(Value::as_str).unwrap_or("");
                li {
                    a href=(href) { (link.get("title").map(text).unwrap_or_else(|| href.to_string())) }
                    " (" (link.get("rel").map(text).unwrap_or_default()) ", " (link.get("type").map(text).unwrap_or_default()) ")"
                }
            }
        }
    }
}

/// The href of a document's first link of relation `rel` and media type `media_type`.
fn href<'a>(document: &'a Value, rel: &str, media_type: &str) -> Option<&'a str> {
    document.get("links")?.as_array()?.iter().find_map(|link| {
        (link.get("rel")?.as_str()? == rel && link.get("type")?.as_str()? == media_type)
            .then(|| link.get("href")?.as_str())
            .flatten()
    })
}

fn collection_table(collections: &[Value]) -> Markup {
    html! {
        h2 { "数据集 Collections" }
        table {
            tr { th { "标识 Id" } th { "名称 Title" } th { "说明 Description" } th { "要素 Features" } }
            @for collection in collections {
                tr {
                    td { @if let Some(href) = href(collection, "alternate", "text/html") { a href=(href) { (collection.get("id").map(text).unwrap_or_default()) } } }
                    td { (collection.get("title").map(text).unwrap_or_default()) }
                    td { (collection.get("description").map(text).unwrap_or_default()) }
                    td { @if let Some(href) = href(collection, "items", "text/html") { a href=(href) { "浏览 Browse" } } }
                }
            }
        }
    }
}

fn feature_table(features: &[Value]) -> Markup {
    // The columns: the first-level properties in the order the features first name them.
    let mut columns: Vec<&str> = Vec::new();
    for feature in features {
        if let Some(Value::Object(properties)) = feature.get("properties") {
            for key in properties.keys() {
                if !columns.contains(&key.as_str()) {
                    columns.push(key);
                }
            }
        }
    }
    html! {
        h2 { "要素 Features" }
        table {
            tr { th { "标识 Id" } @for column in &columns { th { (column) } } }
            @for feature in features {
                tr {
                    td {
                        @let id = feature.get("id").map(text).unwrap_or_default();
                        @if let Some(href) = href(feature, "alternate", "text/html") { a href=(href) { (id) } } @else { (id) }
                    }
                    @for column in &columns {
                        td { (feature.get("properties").and_then(|p| p.get(*column)).map(text).unwrap_or_default()) }
                    }
                }
            }
        }
    }
}

fn value(value: &Value) -> Markup {
    match value {
        Value::Object(members) => html! {
            dl { @for (key, member) in members { dt { (key) } dd { (self::value(member)) } } }
        },
        Value::Array(items) if items.iter().all(|i| !i.is_object()) => html! { (text(value)) },
        Value::Array(items) => html! { ol { @for item in items { li { (self::value(item)) } } } },
        other => html! { (text(other)) },
    }
}

/// A value as one line of text: strings as they are, anything else as JSON.
fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_feature_collection_is_a_table_with_its_properties_escaped() {
        let html = page(
            "地名",
            "Place names",
            &json!({
                "type": "FeatureCollection",
                "numberMatched": 1,
                "numberReturned": 1,
                "features": [{
                    "id": 7,
                    "properties": { "standard_name": "西塘<镇>", "sign_count": 2 },
                    "links": [{ "href": "http://h/ogc/collections/places/items/7?f=html", "rel": "alternate", "type": "text/html" }],
                }],
                "links": [],
            }),
        );
        assert!(html.contains("<th>standard_name</th>"));
        assert!(html.contains("西塘&lt;镇&gt;"));
        assert!(html.contains("href=\"http://h/ogc/collections/places/items/7?f=html\""));
        assert!(!html.contains("<script"));
    }
}
