//! A place-name record as the census form defines it (第二次全国地名普查登记表), and its
//! validation: `PlaceProperties` is what clients send and receive, `ValidPlace` is a record
//! that passed every rule and may be stored.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::category::CategoryCatalog;
use super::division_code::DivisionCode;
use super::field_error::FieldErrors;
use super::geometry::{check_within_china, parse_geometry};
use super::romanize::{FeatureClass, Request, Romanization};
use super::text::normalised_name;

const MAX_NAME_CHARS: usize = 100;
const MAX_TEXT_CHARS: usize = 20_000;
const MAX_SHORT_TEXT_CHARS: usize = 200;
const MAX_DIVISIONS: usize = 50;
const MAX_ALTERNATE_NAMES: usize = 100;

/// The status of a name (使用时间): whether it is in use today.
///
/// ```
/// use diming::domain::place::PlaceStatus;
///
/// assert_eq!(PlaceStatus::parse("historical"), Some(PlaceStatus::Historical));
/// assert_eq!(PlaceStatus::default().as_str(), "current");
/// // Only the stored lower-case names are read.
/// assert_eq!(PlaceStatus::parse("Current"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlaceStatus {
    /// In use (the default).
    #[default]
    Current,
    /// No longer in use: a former name, kept as history.
    Historical,
}

impl PlaceStatus {
    /// The status's name as stored and sent (`current`, `historical`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Current => "current",
            Self::Historical => "historical",
        }
    }

    /// Reads a status from its name; `None` for any other text.
    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "current" => Some(Self::Current),
            "historical" => Some(Self::Historical),
            _ => None,
        }
    }
}

/// The classification of a record (密级): only `public` records are ever shown to the
/// anonymous public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// Open to everyone (公开, the default).
    #[default]
    Public,
    /// Internal (内部): staff only.
    Internal,
    /// Secret (秘密): staff only.
    Secret,
    /// Confidential (机密): staff only.
    Confidential,
}

impl Classification {
    /// The classification's name as stored and sent (`public`, `internal`, `secret`,
    /// `confidential`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Internal => "internal",
            Self::Secret => "secret",
            Self::Confidential => "confidential",
        }
    }
}

/// How a feature's position was measured (测量方法): surveyed on the ground (实测) or read from a
/// map (图解).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SurveyMethod {
    /// Surveyed on the ground (实测).
    Surveyed,
    /// Read from a map (图解).
    MapReading,
    /// Any other method.
    Other,
}

/// The kind of a name a feature has besides its standard name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlternateNameKind {
    /// An alias (别名).
    Alias,
    /// A short form (简称): 浙 for 浙江省.
    Short,
    /// The name as a map shows it (图上名称).
    Map,
    /// A former name (历史地名), usually with validity dates.
    Historical,
    /// A colloquial name (俗称).
    Colloquial,
    /// A name in a minority language (民族语地名).
    MinorityLanguage,
}

/// A name of a feature besides its standard name, with its kind and when it held.
///
/// ```
/// use diming::domain::place::{AlternateName, AlternateNameKind};
///
/// let former: AlternateName = serde_json::from_str(
///     r#"{"name": "斜塘", "kind": "historical", "valid_to": "1950-01-01"}"#,
/// )
/// .unwrap();
/// assert_eq!(former.kind, AlternateNameKind::Historical);
/// assert_eq!(former.valid_from, None);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlternateName {
    /// The name in Chinese characters (or the minority script).
    pub name: String,
    /// What kind of name it is.
    pub kind: AlternateNameKind,
    /// The language of the name (ISO 639 code) where it is not Chinese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// From when the name was in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    /// Until when the name was in use; not before `valid_from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<NaiveDate>,
    /// Anything else known about the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The approval of a name: approving authority (批准机关), date (批准时间) and document number
/// (文号).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// The authority that approved the name (批准机关).
    #[serde(default)]
    pub authority: Option<String>,
    /// When it was approved (批准时间); never in the future.
    #[serde(default)]
    pub approved_on: Option<NaiveDate>,
    /// The number of the approving document (文号).
    #[serde(default)]
    pub document_number: Option<String>,
}

/// The fields of one place-name record, as sent by clients and stored in each version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceProperties {
    /// The standard name (标准名称), in Chinese characters.
    pub standard_name: String,
    /// The feature's other names (别名、简称、图上名称、历史地名 …).
    #[serde(default)]
    pub alternate_names: Vec<AlternateName>,
    /// The romanized name (罗马字母拼写, GB/T 16159), e.g. `Xitang Zhen`; the rules' form when
    /// not given.
    #[serde(default)]
    pub romanization: Option<String>,
    /// The romanized generic term (通名罗马字母拼写), e.g. `Zhen`.
    #[serde(default)]
    pub generic_romanization: Option<String>,
    /// The name in a minority script (民族文字).
    #[serde(default)]
    pub minority_script_name: Option<String>,
    /// The language (语种) of the minority-script form (e.g. `bo`, `ug`, `za`); required with it.
    #[serde(default)]
    pub minority_language: Option<String>,
    /// Whether the name is in use (使用时间); `current` when not given.
    #[serde(default)]
    pub status: PlaceStatus,
    /// When the feature was named (命名时间).
    #[serde(default)]
    pub named_on: Option<NaiveDate>,
    /// The year the feature was established (设立年份).
    #[serde(default)]
    pub established_year: Option<i32>,
    /// The year the feature was abolished (废止年份); a name abolished in the past is historical.
    #[serde(default)]
    pub abolished_year: Option<i32>,
    /// The classification (密级): who may see the record; `public` when not given.
    #[serde(default)]
    pub classification: Classification,
    /// The category (类别): a code of the catalogue (a name is accepted and stored as its code).
    pub category: String,
    /// The divisions the feature lies in or crosses (所在(跨)行政区), the main one first.
    pub division_codes: Vec<String>,
    /// How the position was measured (测量方法).
    #[serde(default)]
    pub survey_method: Option<SurveyMethod>,
    /// The elevation (高程) in metres, for mountains: -500 to 9000.
    #[serde(default)]
    pub elevation_m: Option<f64>,
    /// What the name means (地名含义).
    #[serde(default)]
    pub meaning: Option<String>,
    /// The feature's history (历史沿革).
    #[serde(default)]
    pub history: Option<String>,
    /// A description of the feature (地理实体描述).
    #[serde(default)]
    pub description: Option<String>,
    /// Where the record's information comes from (资料来源及出处).
    #[serde(default)]
    pub source: Option<String>,
    /// When the record was registered (登记时间).
    #[serde(default)]
    pub registered_on: Option<NaiveDate>,
    /// Who registered it (登记人).
    #[serde(default)]
    pub registered_by: Option<String>,
    /// The unit that registered it (登记单位).
    #[serde(default)]
    pub registered_unit: Option<String>,
    /// The name's approval (批准): who approved it, when, by which document.
    #[serde(default)]
    pub approval: Option<Approval>,
    /// The number of name signs (标牌个数) the feature has.
    #[serde(default)]
    pub sign_count: u32,
}

impl PlaceProperties {
    /// What this record asks of the romanization rules: its standard name, the feature class of
    /// its category, and the first division it lies in.
    pub fn romanization_request<'a>(&'a self, catalog: &CategoryCatalog) -> Request<'a> {
        Request {
            name: &self.standard_name,
            class: FeatureClass::of_category(catalog, &self.category),
            division: self.division_codes.first().map(String::as_str),
            split: None,
        }
    }
}

/// A place-name record that passed every rule: the only thing the store accepts.
///
/// ```
/// use chrono::NaiveDate;
/// use diming::domain::category::{Category, CategoryCatalog};
/// use diming::domain::place::{PlaceProperties, ValidPlace};
/// use serde_json::json;
///
/// let catalog = CategoryCatalog::new([Category {
///     code: "24".into(),
///     name_zh: "居民点".into(),
///     name_en: "Residential areas".into(),
///     parent_code: None,
/// }]);
/// let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
/// let xitang = PlaceProperties {
///     standard_name: " 西塘镇 ".into(),
///     category: "居民点".into(),
///     division_codes: vec!["330421101000".into()],
///     ..Default::default()
/// };
/// let point = json!({"type": "Point", "coordinates": [120.89, 30.94]});
///
/// let place = ValidPlace::parse(xitang.clone(), Some(&point), &catalog, today).unwrap();
/// // Normalised: the name trimmed, the category name replaced by its code, the division code
/// // in its canonical form.
/// assert_eq!(place.properties().standard_name, "西塘镇");
/// assert_eq!(place.properties().category, "24");
/// assert_eq!(place.divisions()[0].as_str(), "330421101");
/// assert_eq!(place.register_code(17), "330421240000017");
///
/// // A bad record is refused with every field at fault.
/// let bad = PlaceProperties { standard_name: "  ".into(), category: "不存在".into(), ..xitang };
/// let errors = ValidPlace::parse(bad, Some(&point), &catalog, today).unwrap_err();
/// let fields: Vec<&str> = errors.as_slice().iter().map(|e| e.field.as_str()).collect();
/// assert_eq!(fields, ["properties.standard_name", "properties.category"]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ValidPlace {
    properties: PlaceProperties,
    divisions: Vec<DivisionCode>,
    geometry: Option<geo::Geometry<f64>>,
}

impl ValidPlace {
    /// Checks a record against the census rules and normalises it (trimmed texts, category
    /// names replaced by codes, canonical division codes). Every problem found is reported.
    pub fn parse(
        mut properties: PlaceProperties,
        geometry: Option<&Value>,
        catalog: &CategoryCatalog,
        today: NaiveDate,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let p = &mut properties;

        p.standard_name = normalised_name(&p.standard_name);
        check_name(&p.standard_name, "properties.standard_name", &mut errors);

        if p.alternate_names.len() > MAX_ALTERNATE_NAMES {
            errors.push(
                "properties.alternate_names",
                format!("at most {MAX_ALTERNATE_NAMES} alternate names"),
            );
        }
        for (i, alternate) in p.alternate_names.iter_mut().enumerate() {
            alternate.name = normalised_name(&alternate.name);
            check_name(
                &alternate.name,
                &format!("properties.alternate_names[{i}].name"),
                &mut errors,
            );
            if let (Some(from), Some(to)) = (alternate.valid_from, alternate.valid_to)
                && from > to
            {
                errors.push(
                    format!("properties.alternate_names[{i}].valid_to"),
                    "valid_to is before valid_from",
                );
            }
        }

        for (field, value) in [
            ("romanization", &mut p.romanization),
            ("generic_romanization", &mut p.generic_romanization),
        ] {
            normalise_optional(value);
            if let Some(text) = value.as_deref() {
                check_romanization(text, &format!("properties.{field}"), &mut errors);
            }
        }

        normalise_optional(&mut p.minority_script_name);
        normalise_optional(&mut p.minority_language);
        if p.minority_script_name.is_some() && p.minority_language.is_none() {
            errors.push(
                "properties.minority_language",
                "name the language (语种) of the minority-script form",
            );
        }

        let this_year = today.year();
        for (field, year) in [
            ("established_year", p.established_year),
            ("abolished_year", p.abolished_year),
        ] {
            if let Some(year) = year
                && !(-2500..=this_year + 1).contains(&year)
            {
                errors.push(
                    format!("properties.{field}"),
                    format!("{year} is not a plausible year (up to {})", this_year + 1),
                );
            }
        }
        if let (Some(established), Some(abolished)) = (p.established_year, p.abolished_year)
            && abolished < established
        {
            errors.push(
                "properties.abolished_year",
                "the abolition year is before the establishment year",
            );
        }
        if p.status == PlaceStatus::Current && p.abolished_year.is_some_and(|y| y <= this_year) {
            errors.push(
                "properties.status",
                "a name abolished in the past is historical, not current",
            );
        }

        match catalog.resolve(&p.category) {
            Ok(category) => p.category = category.code.clone(),
            Err(error) => errors.push("properties.category", error.to_string()),
        }

        let mut divisions: Vec<DivisionCode> = Vec::new();
        if p.division_codes.is_empty() {
            errors.push(
                "properties.division_codes",
                "name at least the division the feature lies in (所在行政区)",
            );
        }
        if p.division_codes.len() > MAX_DIVISIONS {
            errors.push(
                "properties.division_codes",
                format!("at most {MAX_DIVISIONS} divisions"),
            );
        }
        for (i, code) in p.division_codes.iter().enumerate() {
            match DivisionCode::parse(code) {
                Ok(code) if !divisions.contains(&code) => divisions.push(code),
                Ok(_) => {}
                Err(error) => errors.push(
                    format!("properties.division_codes[{i}]"),
                    format!("{code:?}: {error}"),
                ),
            }
        }
        p.division_codes = divisions.iter().map(|c| c.as_str().to_string()).collect();

        if let Some(elevation) = p.elevation_m
            && !(elevation.is_finite() && (-500.0..=9000.0).contains(&elevation))
        {
            errors.push(
                "properties.elevation_m",
                "an elevation in metres between -500 and 9000",
            );
        }

        for (field, value, limit) in [
            ("meaning", &mut p.meaning, MAX_TEXT_CHARS),
            ("history", &mut p.history, MAX_TEXT_CHARS),
            ("description", &mut p.description, MAX_TEXT_CHARS),
            ("source", &mut p.source, MAX_TEXT_CHARS),
            ("registered_by", &mut p.registered_by, MAX_SHORT_TEXT_CHARS),
            (
                "registered_unit",
                &mut p.registered_unit,
                MAX_SHORT_TEXT_CHARS,
            ),
        ] {
            normalise_optional(value);
            if value.as_ref().is_some_and(|t| t.chars().count() > limit) {
                errors.push(
                    format!("properties.{field}"),
                    format!("at most {limit} characters"),
                );
            }
        }
        if let Some(approval) = &mut p.approval {
            normalise_optional(&mut approval.authority);
            normalise_optional(&mut approval.document_number);
            if approval.approved_on.is_some_and(|d| d > today) {
                errors.push(
                    "properties.approval.approved_on",
                    "an approval date cannot be in the future",
                );
            }
        }

        let geometry = match geometry {
            None | Some(Value::Null) => None,
            Some(value) => match parse_geometry(value, "geometry") {
                Ok(geometry) => {
                    if let Err(error) = check_within_china(&geometry, "geometry") {
                        errors.push(error.field, error.message);
                    }
                    Some(geometry)
                }
                Err(geometry_errors) => {
                    errors.extend(geometry_errors);
                    None
                }
            },
        };

        errors.into_result(Self {
            properties,
            divisions,
            geometry,
        })
    }

    /// The record's fields, normalised.
    pub fn properties(&self) -> &PlaceProperties {
        &self.properties
    }

    /// The divisions the feature lies in or crosses, parsed, without duplicates, the main one
    /// first.
    pub fn divisions(&self) -> &[DivisionCode] {
        &self.divisions
    }

    /// The feature's geometry (lon/lat, inside China), if it has one.
    pub fn geometry(&self) -> Option<&geo::Geometry<f64>> {
        self.geometry.as_ref()
    }

    /// The standard name and every alternate name, for text search.
    pub fn all_names(&self) -> Vec<&str> {
        std::iter::once(self.properties.standard_name.as_str())
            .chain(
                self.properties
                    .alternate_names
                    .iter()
                    .map(|a| a.name.as_str()),
            )
            .collect()
    }

    /// The register code assigned on entry: the main division's county-level code, the
    /// 大类 of the category, and the record's number (`330421` `24` `0000017`).
    pub fn register_code(&self, id: i64) -> String {
        let division = self
            .divisions
            .first()
            .map_or("000000", |d| &d.as_str()[..6]);
        let major_class = self.properties.category.get(..2).unwrap_or("00");
        format!("{division}{major_class}{id:07}")
    }

    /// The record with the romanization the rules give, where it has none of its own.
    pub fn with_generated_romanization(mut self, rules: &Romanization) -> Self {
        if self.properties.romanization.is_none() {
            self.properties.romanization = Some(rules.standard.clone());
            self.properties.generic_romanization =
                rules.generic.as_ref().map(|g| g.standard.clone());
        }
        self
    }

    /// The record with the romanization the rules give for its name and category, where it has
    /// none of its own (as records entered through the API and the demo loader get).
    pub fn romanized_by_rules(self, catalog: &CategoryCatalog) -> Self {
        use super::romanize::Romanizer;
        let request = self.properties().romanization_request(catalog);
        match Romanizer::default().romanize(&request) {
            Ok(rules) => self.with_generated_romanization(&rules),
            Err(_) => self,
        }
    }

    /// The record as retired on `abolished_on`: historical, with its abolition year.
    pub fn retired(mut self, abolished_on: NaiveDate) -> Self {
        self.properties.status = PlaceStatus::Historical;
        self.properties.abolished_year = Some(abolished_on.year());
        self
    }
}

fn normalise_optional(value: &mut Option<String>) {
    if let Some(text) = value {
        let trimmed = text.trim();
        *value = (!trimmed.is_empty()).then(|| trimmed.to_string());
    }
}

fn check_name(name: &str, field: &str, errors: &mut FieldErrors) {
    if name.is_empty() {
        errors.push(field, "the name is empty");
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.push(
            field,
            format!("a name has at most {MAX_NAME_CHARS} characters"),
        );
    } else if name.chars().any(char::is_control) {
        errors.push(
            field,
            "a name cannot contain control characters (line breaks, tabs)",
        );
    }
}

fn check_romanization(text: &str, field: &str, errors: &mut FieldErrors) {
    let allowed = |c: char| {
        c.is_ascii_alphanumeric()
            || matches!(c, ' ' | '\'' | '-' | '’')
            || is_pinyin_vowel_with_mark(c)
    };
    if text.chars().count() > MAX_SHORT_TEXT_CHARS {
        errors.push(field, format!("at most {MAX_SHORT_TEXT_CHARS} characters"));
    } else if let Some(bad) = text.chars().find(|c| !allowed(*c)) {
        errors.push(field, format!("{bad:?} is not a letter of the romanized form (Latin letters, tone marks, ü, apostrophe, hyphen, digits)"));
    }
}

fn is_pinyin_vowel_with_mark(c: char) -> bool {
    "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüĀÁǍÀĒÉĚÈĪÍǏÌŌÓǑÒŪÚǓÙǕǗǙǛÜêÊńňǹḿ".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::category::Category;
    use serde_json::json;

    fn catalog() -> CategoryCatalog {
        CategoryCatalog::new([Category {
            code: "24".into(),
            name_zh: "居民点".into(),
            name_en: "Residential areas".into(),
            parent_code: None,
        }])
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn minimal() -> PlaceProperties {
        PlaceProperties {
            standard_name: " 西塘镇 ".into(),
            category: "居民点".into(),
            division_codes: vec!["330421101000".into()],
            ..Default::default()
        }
    }

    fn fields(result: Result<ValidPlace, FieldErrors>) -> Vec<String> {
        result
            .unwrap_err()
            .into_vec()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_minimal_record_is_normalised() {
        let point = json!({"type": "Point", "coordinates": [120.89, 30.94]});
        let place = ValidPlace::parse(minimal(), Some(&point), &catalog(), today()).unwrap();
        assert_eq!(place.properties().standard_name, "西塘镇");
        assert_eq!(place.properties().category, "24");
        assert_eq!(place.properties().division_codes, ["330421101"]);
        assert!(place.geometry().is_some());
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let properties = PlaceProperties {
            standard_name: "  ".into(),
            category: "不存在".into(),
            division_codes: vec!["3304x1".into()],
            romanization: Some("Xitang <b>".into()),
            minority_script_name: Some("ᠰᠢ".into()),
            ..Default::default()
        };
        assert_eq!(
            fields(ValidPlace::parse(properties, None, &catalog(), today())),
            [
                "properties.standard_name",
                "properties.romanization",
                "properties.minority_language",
                "properties.category",
                "properties.division_codes[0]",
            ]
        );
    }

    #[test]
    fn a_record_without_divisions_is_refused() {
        let properties = PlaceProperties {
            division_codes: vec![],
            ..minimal()
        };
        assert_eq!(
            fields(ValidPlace::parse(properties, None, &catalog(), today())),
            ["properties.division_codes"]
        );
    }

    #[test]
    fn toned_romanization_is_accepted() {
        let properties = PlaceProperties {
            romanization: Some("Xītáng Zhèn".into()),
            ..minimal()
        };
        assert!(ValidPlace::parse(properties, None, &catalog(), today()).is_ok());
    }

    #[test]
    fn a_point_abroad_is_refused_for_a_chinese_division() {
        let paris = json!({"type": "Point", "coordinates": [2.35, 48.85]});
        assert_eq!(
            fields(ValidPlace::parse(
                minimal(),
                Some(&paris),
                &catalog(),
                today()
            )),
            ["geometry"]
        );
    }

    #[test]
    fn an_abolished_name_cannot_be_current() {
        let properties = PlaceProperties {
            abolished_year: Some(2001),
            ..minimal()
        };
        assert_eq!(
            fields(ValidPlace::parse(properties, None, &catalog(), today())),
            ["properties.status"]
        );
    }

    #[test]
    fn retiring_makes_the_record_historical() {
        let place = ValidPlace::parse(minimal(), None, &catalog(), today()).unwrap();
        let retired = place.retired(today());
        assert_eq!(retired.properties().status, PlaceStatus::Historical);
        assert_eq!(retired.properties().abolished_year, Some(2026));
    }
}
