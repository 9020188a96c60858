//! Unit tests of the rules, one per rule of DOMAIN.md, and of bad input.

use super::*;

fn sign(name: &str, class: &str) -> String {
    romanize(name, Some(class), None).sign
}

fn romanize(name: &str, class: Option<&str>, division: Option<&str>) -> Romanization {
    let request = Request {
        name,
        class: class.map(|c| FeatureClass::parse(c).unwrap()),
        division,
        split: None,
    };
    Romanizer::default()
        .romanize(&request)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn proper_name_and_generic_term_are_apart_and_capitalised() {
    assert_eq!(sign("北京市", "行政区域"), "Beijing Shi");
    assert_eq!(sign("鸭绿江", "陆地水系"), "Yalu Jiang");
    assert_eq!(sign("泰山", "陆地地形"), "Tai Shan");
    assert_eq!(sign("南京路", "交通运输设施"), "Nanjing Lu");
}

#[test]
fn one_syllable_modifiers_join_and_gates_keep_their_inside() {
    assert_eq!(sign("西辽河", "陆地水系"), "Xiliao He");
    assert_eq!(sign("景山后街", "交通运输设施"), "Jingshan Houjie");
    assert_eq!(
        sign("朝阳门内南小街", "交通运输设施"),
        "Chaoyangmennei Nanxiaojie"
    );
    assert_eq!(sign("东长安街", "交通运输设施"), "Dongchang'an Jie");
    // A place name that happens to end in a direction is not cut (河南路 Henan Lu).
    assert_eq!(sign("河南路", "交通运输设施"), "Henan Lu");
    assert_eq!(sign("中山北路", "交通运输设施"), "Zhongshan Beilu");
}

#[test]
fn villages_and_towns_are_one_word() {
    assert_eq!(sign("王村", "居民点"), "Wangcun");
    assert_eq!(sign("周口店", "居民点"), "Zhoukoudian");
}

#[test]
fn the_feature_class_decides_whether_a_generic_is_part_of_the_name() {
    assert_eq!(sign("黑龙江省", "行政区域"), "Heilongjiang Sheng");
    assert_eq!(sign("黑龙江", "陆地水系"), "Heilong Jiang");
    assert_eq!(sign("黑龙江", "行政区域"), "Heilongjiang");
}

#[test]
fn personal_names_are_joined() {
    assert_eq!(sign("左权县", "行政区域"), "Zuoquan Xian");
    assert_eq!(sign("张之洞路", "交通运输设施"), "Zhangzhidong Lu");
}

#[test]
fn numerals_are_spelled_but_ordinals_and_codes_are_digits() {
    assert_eq!(sign("五指山", "陆地地形"), "Wuzhi Shan");
    assert_eq!(sign("经五路", "交通运输设施"), "Jing 5 Lu");
    assert_eq!(sign("纬十二路", "交通运输设施"), "Wei 12 Lu");
    assert_eq!(sign("1203高地", "陆地地形"), "1203 Gaodi");
    assert_eq!(sign("１２０３高地", "陆地地形"), "1203 Gaodi");
}

#[test]
fn place_name_readings_win_over_the_dictionary() {
    assert_eq!(
        romanize("十里堡", Some("居民点"), Some("110105")).sign,
        "Shilipu"
    );
    assert_eq!(romanize("吴堡", None, None).sign, "Wubu");
    for (name, expected) in [
        ("长治", "Changzhi"),
        ("珲春", "Hunchun"),
        ("六安", "Lu'an"),
        ("蚌埠", "Bengbu"),
        ("乐亭", "Laoting"),
    ] {
        assert_eq!(romanize(name, Some("行政区域"), None).sign, expected);
    }
    // 黄陂 is Huangpi in Hubei only.
    assert_eq!(
        romanize("黄陂", Some("行政区域"), Some("420116")).sign,
        "Huangpi"
    );
    assert_ne!(
        romanize("黄陂", Some("行政区域"), Some("360000")).sign,
        "Huangpi"
    );
}

#[test]
fn apostrophes_mark_syllables_that_start_with_a_vowel() {
    assert_eq!(sign("西安", "行政区域"), "Xi'an");
    assert_eq!(sign("建瓯", "行政区域"), "Jian'ou");
}

#[test]
fn the_standard_form_has_tone_marks() {
    let result = romanize("北京市", Some("行政区域"), None);
    assert_eq!(result.standard, "Běijīng Shì");
    assert_eq!(result.proper.standard, "Běijīng");
    assert_eq!(result.generic.unwrap().sign, "Shi");
}

#[test]
fn minority_language_names_are_transliterated() {
    assert_eq!(sign("乌鲁木齐", "行政区域"), "Urumqi");
    assert_eq!(
        romanize("乌鲁木齐市", Some("行政区域"), None).standard,
        "Ürümqi Shì"
    );
    assert_eq!(sign("呼和浩特市", "行政区域"), "Hohhot Shi");
    assert_eq!(sign("拉萨", "行政区域"), "Lhasa");
    assert_eq!(sign("内蒙古自治区", "行政区域"), "Nei Mongol Zizhiqu");
    assert_eq!(sign("陕西省", "行政区域"), "Shaanxi Sheng");
}

#[test]
fn nationalities_in_autonomous_areas_are_words_of_their_own() {
    assert_eq!(
        sign("新疆维吾尔自治区", "行政区域"),
        "Xinjiang Uygur Zizhiqu"
    );
    assert_eq!(
        sign("广西壮族自治区", "行政区域"),
        "Guangxi Zhuangzu Zizhiqu"
    );
    assert_eq!(
        sign("恩施土家族苗族自治州", "行政区域"),
        "Enshi Tujiazu Miaozu Zizhizhou"
    );
    assert_eq!(
        sign("香港特别行政区", "行政区域"),
        "Xianggang Tebie Xingzhengqu"
    );
}

#[test]
fn every_choice_is_explained() {
    let result = romanize("长治市", Some("行政区域"), None);
    let chang = result
        .readings
        .iter()
        .find(|r| r.char == '长')
        .expect("长 is a polyphone");
    assert_eq!(chang.reading, "cháng");
    assert!(
        chang.decided_by.contains("GeoNames"),
        "{}",
        chang.decided_by
    );
    assert!(result.reasons.iter().any(|r| r.rule.contains("rule 1")));
}

#[test]
fn a_callers_split_is_followed() {
    let request = Request {
        name: "王府井大街",
        split: Some(("王府井", "大街")),
        ..Default::default()
    };
    assert_eq!(
        Romanizer::default().romanize(&request).unwrap().sign,
        "Wangfujing Dajie"
    );
    let bad = Request {
        name: "王府井大街",
        split: Some(("王府", "大街")),
        ..Default::default()
    };
    assert!(matches!(
        Romanizer::default().romanize(&bad),
        Err(RomanizeError::SplitMismatch { .. })
    ));
}

#[test]
fn bad_names_are_refused_with_the_characters_at_fault() {
    let engine = Romanizer::default();
    let try_name = |name| {
        engine.romanize(&Request {
            name,
            ..Default::default()
        })
    };
    assert_eq!(try_name("  "), Err(RomanizeError::Empty));
    assert!(
        matches!(try_name("Beijing路"), Err(RomanizeError::NotChinese(c)) if c == vec!['B', 'e', 'i', 'j', 'n', 'g'])
    );
    assert!(matches!(try_name("北京-路"), Err(RomanizeError::NotChinese(c)) if c == vec!['-']));
    // U+2A6D6 is a CJK Extension B character the dictionary does not have.
    assert!(
        matches!(try_name("\u{2A6D6}村"), Err(RomanizeError::UnknownCharacters(c)) if c == vec!['\u{2A6D6}'])
    );
}

#[test]
fn learned_corrections_win_and_say_who_and_why() {
    let learned = LearnedSpelling {
        romanization: "Shílǐbǎo Cūn".into(),
        generic: Some("Cūn".into()),
        by: "jiashan".into(),
        on: "2026-11-23".into(),
        why: "local reading confirmed by the village".into(),
        division: "330421".into(),
    };
    let result = Romanizer::default().learned("十里堡村", None, &learned);
    assert_eq!(result.sign, "Shilibao Cun");
    assert_eq!(result.generic.unwrap().standard, "Cūn");
    assert!(result.reasons[0].detail.contains("jiashan"));
}

#[test]
fn search_tokens_carry_every_reading_with_the_chosen_one_first() {
    let tokens = Romanizer::default().search_tokens("长治市2号", None);
    let readings: Vec<&[String]> = tokens.iter().map(|t| t.readings.as_slice()).collect();
    assert_eq!(readings[0], ["chang", "zhang"]);
    assert_eq!(readings[1][0], "zhi");
    assert_eq!(readings[3], ["2"]);
    assert_eq!(tokens.len(), 5);
    let lv = Romanizer::default().search_tokens("绿", None);
    assert_eq!(lv[0].readings[0], "lv");
}
