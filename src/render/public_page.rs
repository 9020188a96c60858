//! The public page a sign's QR code opens (`/s/<code>`): server-rendered HTML that works without
//! JavaScript, mobile first and small; Chinese by default, English on request. Every text is
//! escaped by maud.

use maud::{DOCTYPE, Markup, PreEscaped, html};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

/// The language of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// `?lang=` wins; otherwise the first language of `Accept-Language` that we speak; Chinese.
    pub fn choose(query: Option<&str>, accept_language: Option<&str>) -> Self {
        let pick = |tag: &str| {
            let tag = tag.trim().to_ascii_lowercase();
            if tag.starts_with("en") {
                Some(Lang::En)
            } else if tag.starts_with("zh") {
                Some(Lang::Zh)
            } else {
                None
            }
        };
        if let Some(lang) = query.and_then(pick) {
            return lang;
        }
        accept_language
            .and_then(|header| {
                header
                    .split(',')
                    .find_map(|part| pick(part.split(';').next().unwrap_or("")))
            })
            .unwrap_or(Lang::Zh)
    }

    fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    fn pick(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// Everything the page shows about a place; only public records ever get here.
pub struct PlaceView {
    pub standard_name: String,
    pub romanization: Option<String>,
    pub english_name: Option<String>,
    pub minority_script_name: Option<String>,
    pub category: (String, String),
    pub division_chain: Vec<String>,
    pub meaning: Option<String>,
    pub history: Option<String>,
    pub description: Option<String>,
    pub historical: bool,
}

pub struct SignPage {
    pub lang: Lang,
    pub code: String,
    pub sign_kind: (String, String),
    pub address: Option<String>,
    pub place: PlaceView,
    pub position: Option<(f64, f64)>,
    pub map_svg: Option<String>,
    pub nearby: Vec<(String, f64)>,
    /// For a retired sign: the page of its replacement, if any.
    pub retired: Option<Option<String>>,
    /// The page of the name on the heritage list (地名文化遗产), if it is listed.
    pub heritage: Option<String>,
}

const STYLE: &str = "body{margin:0;font:16px/1.5 system-ui,-apple-system,'Noto Sans CJK SC','PingFang SC',sans-serif;color:#1b1b1b;background:#fff}\
main{max-width:40rem;margin:0 auto;padding:1rem}header{background:#1d5fa8;color:#fff;padding:1.2rem 1rem}\
h1{margin:0;font-size:2rem;letter-spacing:.05em}.py{font-size:1.2rem;margin:.2rem 0 0}.en,.mn{margin:.2rem 0 0;opacity:.9}\
.chain{font-size:.9rem;color:#555}.map{width:100%;height:auto;border:1px solid #ddd;border-radius:6px}\
dl{margin:0}dt{font-weight:600;margin-top:.8rem}dd{margin:0;white-space:pre-line}\
.links a{display:inline-block;margin:.2rem .6rem .2rem 0}.note{background:#fff4d6;padding:.6rem;border-radius:6px}\
form label{display:block;margin-top:.6rem}select,textarea,input,button{font:inherit;width:100%;box-sizing:border-box}\
button{margin-top:.8rem;padding:.6rem;background:#1d5fa8;color:#fff;border:0;border-radius:6px}\
.hp{position:absolute;left:-9999px}footer{font-size:.8rem;color:#595959;margin:2rem 0 1rem}nav a{color:#fff}";

fn layout(lang: Lang, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

/// Links that open the position in common map apps (coordinates are CGCS2000 ≈ WGS84).
fn map_links(name: &str, lon: f64, lat: f64) -> Vec<(&'static str, String)> {
    let n = encode(name);
    vec![
        (
            "高德地图 Amap",
            format!(
                "https://uri.amap.com/marker?position={lon},{lat}&name={n}&coordinate=wgs84&callnative=1"
            ),
        ),
        (
            "百度地图 Baidu",
            format!(
                "https://api.map.baidu.com/marker?location={lat},{lon}&title={n}&content={n}&output=html&coord_type=wgs84&src=diming"
            ),
        ),
        (
            "Apple Maps",
            format!("https://maps.apple.com/?ll={lat},{lon}&q={n}"),
        ),
        ("geo:", format!("geo:{lat},{lon}?q={lat},{lon}({n})")),
    ]
}

fn distance_text(lang: Lang, metres: f64) -> String {
    match (lang, metres >= 1000.0) {
        (Lang::Zh, true) => format!("{:.1} 公里", metres / 1000.0),
        (Lang::Zh, false) => format!("{metres:.0} 米"),
        (Lang::En, true) => format!("{:.1} km", metres / 1000.0),
        (Lang::En, false) => format!("{metres:.0} m"),
    }
}

pub fn sign_page(page: &SignPage) -> String {
    let lang = page.lang;
    let place = &page.place;
    let other = match lang {
        Lang::Zh => ("English", "?lang=en"),
        Lang::En => ("中文", "?lang=zh"),
    };
    let category = match lang {
        Lang::Zh => &place.category.0,
        Lang::En => &place.category.1,
    };
    let kind = match lang {
        Lang::Zh => &page.sign_kind.0,
        Lang::En => &page.sign_kind.1,
    };
    let body = html! {
        header {
            nav style="float:right" { a href=(other.1) { (other.0) } }
            h1 { (place.standard_name) }
            @if let Some(romanization) = &place.romanization { p.py { (romanization) } }
            @if let Some(english) = &place.english_name { p.en { (english) } }
            @if let Some(minority) = &place.minority_script_name { p.mn { (minority) } }
        }
        main {
            @if let Some(replacement) = &page.retired {
                p.note {
                    (lang.pick("此标志牌已撤除。", "This sign has been taken down."))
                    @if let Some(url) = replacement {
                        " " a href=(url) { (lang.pick("查看替换它的新标志牌", "See the sign that replaced it")) }
                    }
                }
            }
            @if place.historical {
                p.note { (lang.pick("这是历史地名，现已不再使用。", "This is a historical name no longer in use.")) }
            }
            p.chain { (place.division_chain.join(" › ")) " · " (category) }
            @if let Some(url) = &page.heritage {
                p.note { a href=(url) { (lang.pick("此地名已列入地名文化遗产保护名录：阅读它的故事", "This name is on the place-name heritage list: read its story")) } }
            }
            @if let Some(svg) = &page.map_svg { (PreEscaped(svg)) }
            @if let Some((lon, lat)) = page.position {
                p.links {
                    (lang.pick("在地图应用中打开：", "Open in a map app: "))
                    @for (label, href) in map_links(&place.standard_name, lon, lat) { a href=(href) rel="nofollow" { (label) } }
                }
            }
            dl {
                @if let Some(meaning) = &place.meaning { dt { (lang.pick("地名含义", "Meaning of the name")) } dd { (meaning) } }
                @if let Some(history) = &place.history { dt { (lang.pick("历史沿革", "History")) } dd { (history) } }
                @if let Some(description) = &place.description { dt { (lang.pick("地理实体描述", "Description")) } dd { (description) } }
                @if let Some(address) = &page.address { dt { (lang.pick("门牌地址", "Address")) } dd { (address) } }
                @if !page.nearby.is_empty() {
                    dt { (lang.pick("附近地名", "Names nearby")) }
                    dd { @for (i, (name, metres)) in page.nearby.iter().enumerate() { @if i > 0 { "、" } (name) " (" (distance_text(lang, *metres)) ")" } }
                }
            }
            h2 { (lang.pick("标志牌有问题？", "Something wrong with this sign?")) }
            form method="post" action=(format!("/s/{}/report", page.code)) enctype="multipart/form-data" {
                input type="hidden" name="lang" value=(if lang == Lang::En { "en" } else { "zh" });
                label { (lang.pick("问题类型", "Kind of problem"))
                    select name="kind" {
                        option value="damaged" { (lang.pick("损坏", "Damaged")) }
                        option value="dirty" { (lang.pick("污损", "Dirty")) }
                        option value="missing" { (lang.pick("缺失", "Missing")) }
                        option value="wrong_text" { (lang.pick("内容有误", "Wrong text")) }
                        option value="other" { (lang.pick("其他", "Other")) }
                    }
                }
                label { (lang.pick("说明", "What is wrong")) textarea name="text" rows="3" maxlength="1000" required {} }
                label { (lang.pick("照片（可选）", "Photo (optional)")) input type="file" name="photo" accept="image/jpeg,image/png"; }
                label.hp aria-hidden="true" { "Website" input type="text" name="website" tabindex="-1" autocomplete="off"; }
                button type="submit" { (lang.pick("提交", "Send")) }
            }
            footer { (kind) " · " (lang.pick("标志牌编码", "Sign code")) " " (page.code) }
        }
    };
    layout(lang, &place.standard_name, body).into_string()
}

/// The friendly page for a code that names no sign; `typo` when the check character failed.
pub fn not_found_page(lang: Lang, typo: bool) -> String {
    let body = html! {
        header { h1 { (lang.pick("未找到此标志牌", "Sign not found")) } }
        main {
            p { @if typo {
                (lang.pick("二维码或链接中的编码有误（可能输入错了一个字符）。请重新扫描标志牌上的二维码。",
                           "The code in this link has a mistake (perhaps one mistyped character). Please scan the QR code on the sign again."))
            } @else {
                (lang.pick("没有与此编码对应的标志牌。请重新扫描标志牌上的二维码。",
                           "No sign has this code. Please scan the QR code on the sign again."))
            } }
        }
    };
    layout(lang, lang.pick("未找到此标志牌", "Sign not found"), body).into_string()
}

/// The answer to a report: thanks, or what to fix.
pub fn report_result_page(lang: Lang, code: &str, problem: Option<&str>) -> String {
    let back = format!(
        "/s/{code}{}",
        if lang == Lang::En { "?lang=en" } else { "" }
    );
    let body = html! {
        header { h1 { @if problem.is_none() { (lang.pick("感谢您的反馈", "Thank you")) } @else { (lang.pick("未能提交", "Not sent")) } } }
        main {
            @match problem {
                None => p { (lang.pick("我们已收到您的报告，工作人员会尽快处理。", "We have your report; our staff will see to it.")) },
                Some(problem) => p.note { (problem) },
            }
            p { a href=(back) { (lang.pick("返回", "Back")) } }
        }
    };
    layout(lang, lang.pick("标志牌问题报告", "Sign report"), body).into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_follows_the_query_then_the_browser() {
        assert_eq!(Lang::choose(Some("en"), Some("zh-CN")), Lang::En);
        assert_eq!(Lang::choose(None, Some("en-GB,en;q=0.9")), Lang::En);
        assert_eq!(Lang::choose(None, Some("fr, en;q=0.5")), Lang::En);
        assert_eq!(Lang::choose(None, Some("fr")), Lang::Zh);
        assert_eq!(Lang::choose(None, None), Lang::Zh);
    }

    #[test]
    fn texts_are_escaped() {
        let page = SignPage {
            lang: Lang::Zh,
            code: "ABC".into(),
            sign_kind: ("村牌".into(), "Village sign".into()),
            address: None,
            place: PlaceView {
                standard_name: "<script>alert(1)</script>".into(),
                romanization: None,
                english_name: None,
                minority_script_name: None,
                category: ("居民点".into(), "Residential areas".into()),
                division_chain: vec![],
                meaning: Some("a & b".into()),
                history: None,
                description: None,
                historical: false,
            },
            position: None,
            map_svg: None,
            nearby: vec![],
            retired: None,
            heritage: None,
        };
        let html = sign_page(&page);
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("&lt;script&gt;"));
    }
}
