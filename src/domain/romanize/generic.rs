//! Feature classes (the census's 大类) and the generic terms (通名) each class uses, with their
//! spelling. The class decides which ending of a name is its generic term: 江 ends a river's name
//! (黑龙江 Heilong Jiang) but is part of a province's (黑龙江省 Heilongjiang Sheng).

use serde::Serialize;

use crate::domain::category::CategoryCatalog;

/// A feature class: one of the 大类 of GB/T 18521 as the census used them, by code.
///
/// ```
/// use diming::domain::romanize::FeatureClass;
///
/// assert_eq!(FeatureClass::parse("2532"), Some(FeatureClass::Transport));
/// assert_eq!(FeatureClass::parse("陆地水系"), Some(FeatureClass::InlandWater));
/// assert_eq!(FeatureClass::Settlement.name_zh(), "居民点");
/// assert!(FeatureClass::Administrative.generic_terms().iter().any(|g| g.chinese == "自治区"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeatureClass {
    /// 11 海域: sea areas.
    Sea,
    /// 12 陆地水系: inland waters.
    InlandWater,
    /// 13 陆地地形: land forms.
    Landform,
    /// 21 行政区域: administrative divisions.
    Administrative,
    /// 22 群众自治组织: self-governing organisations (villages' and residents' committees).
    SelfGoverning,
    /// 23 非行政区域: non-administrative areas (development zones, reserves, farms).
    NonAdministrative,
    /// 24 居民点: residential areas.
    Settlement,
    /// 25 交通运输设施: transport facilities, streets included.
    Transport,
    /// 26 水利电力通信设施: water, power and communication facilities.
    Facility,
    /// 27 纪念地旅游景点: memorials and tourist sites.
    Memorial,
    /// 28 建筑物: buildings.
    Building,
    /// 29 单位: organisations.
    Organisation,
}

const CLASSES: [(FeatureClass, &str, &str, &str); 12] = [
    (FeatureClass::Sea, "11", "海域", "sea areas"),
    (FeatureClass::InlandWater, "12", "陆地水系", "inland waters"),
    (FeatureClass::Landform, "13", "陆地地形", "land forms"),
    (
        FeatureClass::Administrative,
        "21",
        "行政区域",
        "administrative divisions",
    ),
    (
        FeatureClass::SelfGoverning,
        "22",
        "群众自治组织",
        "self-governing organisations",
    ),
    (
        FeatureClass::NonAdministrative,
        "23",
        "非行政区域",
        "non-administrative areas",
    ),
    (
        FeatureClass::Settlement,
        "24",
        "居民点",
        "residential areas",
    ),
    (
        FeatureClass::Transport,
        "25",
        "交通运输设施",
        "transport facilities",
    ),
    (
        FeatureClass::Facility,
        "26",
        "水利电力通信设施",
        "water, power and communication facilities",
    ),
    (
        FeatureClass::Memorial,
        "27",
        "纪念地旅游景点",
        "memorials and tourist sites",
    ),
    (FeatureClass::Building, "28", "建筑物", "buildings"),
    (FeatureClass::Organisation, "29", "单位", "organisations"),
];

impl FeatureClass {
    /// The class of a category code (its first two digits are the 大类), or of a 大类 given by
    /// its Chinese or English name.
    pub fn parse(input: &str) -> Option<Self> {
        let input = input.trim();
        let lower = input.to_lowercase();
        CLASSES
            .iter()
            .find(|(_, code, zh, en)| {
                *zh == input
                    || *en == lower
                    || (input.len() >= 2
                        && input.bytes().all(|b| b.is_ascii_digit())
                        && input.starts_with(code))
            })
            .map(|(class, ..)| *class)
    }

    /// The class of a catalogue category (given by code or name): that of its 大类.
    pub fn of_category(catalog: &CategoryCatalog, category: &str) -> Option<Self> {
        let category = catalog.resolve(category).ok()?;
        Self::parse(&catalog.major_class(category).code)
    }

    /// The class's Chinese name (行政区域).
    pub fn name_zh(self) -> &'static str {
        CLASSES
            .iter()
            .find(|(c, ..)| *c == self)
            .map(|(_, _, zh, _)| *zh)
            .unwrap_or_default()
    }

    /// The generic terms of this class, longest first.
    pub fn generic_terms(self) -> &'static [Generic] {
        match self {
            Self::Sea | Self::InlandWater => WATER,
            Self::Landform => LANDFORM,
            Self::Administrative => ADMINISTRATIVE,
            Self::SelfGoverning => SELF_GOVERNING,
            Self::NonAdministrative => NON_ADMINISTRATIVE,
            Self::Settlement => ESTATES,
            Self::Transport => TRANSPORT,
            Self::Facility => FACILITY,
            Self::Memorial => MEMORIAL,
            Self::Building => BUILDING,
            Self::Organisation => &[],
        }
    }

    /// Every class whose generic terms are tried when no category is given, in this order.
    pub fn all() -> impl Iterator<Item = Self> {
        CLASSES.iter().map(|(class, ..)| *class)
    }
}

/// A generic term (通名) and its reading; `|` marks a word break inside it (特别行政区 Tebie
/// Xingzhengqu), multi-syllable terms are otherwise one word (大街 Dajie, 自治区 Zizhiqu).
#[derive(Debug, Clone, Copy)]
pub struct Generic {
    /// The term in characters (自治区).
    pub chinese: &'static str,
    /// Its reading in numbered pinyin, syllables apart, `|` between words (`zi4 zhi4 qu1`).
    pub reading: &'static str,
}

impl Generic {
    /// Generic terms after which ethnic names stand as words of their own (宁夏回族自治区
    /// Ningxia Huizu Zizhiqu).
    pub fn is_autonomous(&self) -> bool {
        self.chinese.starts_with("自治") || self.chinese.ends_with("族乡")
    }

    /// Street terms take a one-syllable modifier before them into their word (景山后街 Jingshan
    /// Houjie) and may follow an ordinal number written in digits (经五路 Jing 5 Lu).
    pub fn is_street(&self) -> bool {
        STREET_TERMS.contains(&self.chinese)
    }
}

const STREET_TERMS: &[&str] = &[
    "大街", "大道", "胡同", "街", "路", "巷", "道", "弄", "里", "条",
];

macro_rules! generics {
    ($($zh:literal $py:literal),* $(,)?) => { &[$(Generic { chinese: $zh, reading: $py }),*] };
}

const ADMINISTRATIVE: &[Generic] = generics![
    "特别行政区" "te4 bie2|xing2 zheng4 qu1",
    "民族乡" "min2 zu2 xiang1",
    "自治区" "zi4 zhi4 qu1", "自治州" "zi4 zhi4 zhou1", "自治县" "zi4 zhi4 xian4", "自治旗" "zi4 zhi4 qi2",
    "街道" "jie1 dao4", "地区" "di4 qu1", "林区" "lin2 qu1", "矿区" "kuang4 qu1", "新区" "xin1 qu1",
    "苏木" "su1 mu4",
    "省" "sheng3", "市" "shi4", "县" "xian4", "区" "qu1", "盟" "meng2", "旗" "qi2", "镇" "zhen4", "乡" "xiang1",
];

const SELF_GOVERNING: &[Generic] = generics![
    "社区居民委员会" "she4 qu1|ju1 min2|wei3 yuan2 hui4", "村民委员会" "cun1 min2|wei3 yuan2 hui4",
    "居民委员会" "ju1 min2|wei3 yuan2 hui4", "社区居委会" "she4 qu1|ju1 wei3 hui4",
    "居委会" "ju1 wei3 hui4", "村委会" "cun1 wei3 hui4", "社区" "she4 qu1", "嘎查" "ga1 cha2", "村" "cun1",
];

/// Estates and housing areas; villages and towns themselves are written as one word.
const ESTATES: &[Generic] = generics![
    "小区" "xiao3 qu1", "新村" "xin1 cun1", "花园" "hua1 yuan2", "公寓" "gong1 yu4", "家园" "jia1 yuan2",
];

const WATER: &[Generic] = generics![
    "海峡" "hai3 xia2", "水道" "shui3 dao4", "群岛" "qun2 dao3", "半岛" "ban4 dao3", "运河" "yun4 he2",
    "瀑布" "pu4 bu4", "湿地" "shi1 di4",
    "海" "hai3", "湾" "wan1", "岛" "dao3", "礁" "jiao1", "滩" "tan1", "江" "jiang1", "河" "he2", "湖" "hu2",
    "溪" "xi1", "港" "gang3", "泾" "jing1", "浜" "bang1", "塘" "tang2", "荡" "dang4", "漾" "yang4",
    "泉" "quan2", "潭" "tan2", "池" "chi2", "淀" "dian4", "泊" "po1", "涧" "jian4", "沟" "gou1",
];

const LANDFORM: &[Generic] = generics![
    "山脉" "shan1 mai4", "峡谷" "xia2 gu3", "高地" "gao1 di4", "高原" "gao1 yuan2", "盆地" "pen2 di4",
    "平原" "ping2 yuan2", "沙漠" "sha1 mo4", "丘陵" "qiu1 ling2",
    "山" "shan1", "岭" "ling3", "峰" "feng1", "岗" "gang3", "坡" "po1", "峡" "xia2", "谷" "gu3",
    "洞" "dong4", "岩" "yan2", "顶" "ding3", "梁" "liang2", "峁" "mao3", "塬" "yuan2", "坪" "ping2",
];

const TRANSPORT: &[Generic] = generics![
    "高速公路" "gao1 su4|gong1 lu4", "火车站" "huo3 che1 zhan4", "大街" "da4 jie1", "大道" "da4 dao4",
    "胡同" "hu2 tong4", "公路" "gong1 lu4", "铁路" "tie3 lu4", "大桥" "da4 qiao2", "隧道" "sui4 dao4",
    "机场" "ji1 chang3", "码头" "ma3 tou2", "车站" "che1 zhan4", "环路" "huan2 lu4",
    "街" "jie1", "路" "lu4", "巷" "xiang4", "弄" "long4", "里" "li3", "道" "dao4", "条" "tiao2",
    "桥" "qiao2", "站" "zhan4", "港" "gang3", "线" "xian4",
];

const FACILITY: &[Generic] = generics![
    "水电站" "shui3 dian4 zhan4", "水库" "shui3 ku4", "干渠" "gan4 qu2", "电站" "dian4 zhan4",
    "泵站" "beng4 zhan4", "大坝" "da4 ba4", "渠" "qu2", "闸" "zha2", "坝" "ba4", "堤" "di1",
];

const MEMORIAL: &[Generic] = generics![
    "风景名胜区" "feng1 jing3|ming2 sheng4 qu1", "风景区" "feng1 jing3 qu1", "纪念馆" "ji4 nian4 guan3",
    "纪念碑" "ji4 nian4 bei1", "陵园" "ling2 yuan2", "公园" "gong1 yuan2", "景区" "jing3 qu1",
    "遗址" "yi2 zhi3", "故居" "gu4 ju1", "园" "yuan2", "寺" "si4", "庙" "miao4", "塔" "ta3",
];

const BUILDING: &[Generic] = generics![
    "体育场" "ti3 yu4 chang3", "体育馆" "ti3 yu4 guan3", "广场" "guang3 chang3", "大厦" "da4 sha4",
    "大楼" "da4 lou2", "中心" "zhong1 xin1", "楼" "lou2", "亭" "ting2", "塔" "ta3", "阁" "ge2",
];

const NON_ADMINISTRATIVE: &[Generic] = generics![
    "经济技术开发区" "jing1 ji4|ji4 shu4|kai1 fa1 qu1", "高新技术产业开发区" "gao1 xin1|ji4 shu4|chan3 ye4|kai1 fa1 qu1",
    "自然保护区" "zi4 ran2|bao3 hu4 qu1", "工业园区" "gong1 ye4|yuan2 qu1", "开发区" "kai1 fa1 qu1",
    "工业园" "gong1 ye4 yuan2", "园区" "yuan2 qu1", "农场" "nong2 chang3", "林场" "lin2 chang3",
    "牧场" "mu4 chang3", "渔场" "yu2 chang3",
];

/// The nationalities with a fixed spelling in names of autonomous areas, where a nationality is
/// a word of its own. Most are spelled from their characters with -zu; these few keep the form
/// the national division names use (新疆维吾尔自治区 Xinjiang Uygur Zizhiqu).
pub const ETHNIC_SPELLINGS: &[(&str, &str)] = &[
    ("维吾尔", "Uygur"),
    ("哈萨克", "Kazak"),
    ("柯尔克孜", "Kirgiz"),
    ("蒙古", "Mongol"),
    ("蒙古族", "Mongolzu"),
    ("锡伯", "Xibe"),
    ("塔吉克", "Tajik"),
    ("鄂伦春", "Oroqen"),
    ("达斡尔族", "Daurzu"),
    ("鄂温克族", "Ewenkizu"),
];

/// The names of the 56 nationalities without 族, as names of autonomous areas contain them.
pub const NATIONALITIES: &[&str] = &[
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_parse_from_codes_and_names() {
        assert_eq!(
            FeatureClass::parse("21"),
            Some(FeatureClass::Administrative)
        );
        assert_eq!(FeatureClass::parse("2532"), Some(FeatureClass::Transport));
        assert_eq!(
            FeatureClass::parse("陆地水系"),
            Some(FeatureClass::InlandWater)
        );
        assert_eq!(
            FeatureClass::parse("Residential areas"),
            Some(FeatureClass::Settlement)
        );
        assert_eq!(FeatureClass::parse("2"), None);
        assert_eq!(FeatureClass::parse("99"), None);
        assert_eq!(FeatureClass::parse("河流湖泊"), None);
    }

    #[test]
    fn generic_terms_are_listed_longest_first_within_a_class() {
        for class in FeatureClass::all() {
            let terms = class.generic_terms();
            for (i, a) in terms.iter().enumerate() {
                for b in &terms[i + 1..] {
                    assert!(
                        !b.chinese.ends_with(a.chinese),
                        "{} before {} in {class:?}",
                        a.chinese,
                        b.chinese
                    );
                }
                let syllables = a.reading.split(['|', ' ']).count();
                assert_eq!(syllables, a.chinese.chars().count(), "{}", a.chinese);
            }
        }
    }
}
