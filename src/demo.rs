//! The demo data in `data/` (real divisions and place names of 嘉兴市, see data/SOURCES.md),
//! loaded into an empty database by `diming serve --demo`, with demo accounts to sign in with;
//! `inspection` adds sample boundary markers and a joint inspection round on top.

pub mod addresses;
pub mod inspection;

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::app::today;
use crate::domain::account::{Role, Username};
use crate::domain::category::CategoryCatalog;
use crate::domain::division_code::{DivisionCode, Jurisdiction};
use crate::domain::division_table::DivisionRow;
use crate::domain::field_error::FieldError;
use crate::domain::place::{PlaceProperties, ValidPlace};
use crate::domain::sign::{PublicCode, SignInput, SignKind, SignStatus};
use crate::domain::version::ChangeAction;
use crate::security::hash_password;
use crate::store::audit::Author;
use crate::store::places::{Change, PlaceFilter};
use crate::store::{Store, StoreError};

/// The password of every demo account; the demo is for trying the service, never production.
pub const DEMO_PASSWORD: &str = "diming-demo-2026";

/// Demo accounts: (username, role, jurisdictions).
pub const DEMO_ACCOUNTS: [(&str, Role, &[&str]); 4] = [
    ("admin", Role::Admin, &[]),
    ("jiashan", Role::Editor, &["330421"]),
    ("pinghu", Role::Editor, &["330482"]),
    ("reviewer", Role::Reviewer, &["3304"]),
];

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} line {line}: {message}")]
    BadRow {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{path}: feature {index} ({name}) is not valid: {errors:?}")]
    BadFeature {
        path: PathBuf,
        index: usize,
        name: String,
        errors: Vec<FieldError>,
    },
    #[error("{path} is not a GeoJSON FeatureCollection of places: {message}")]
    BadCollection { path: PathBuf, message: String },
    #[error("database")]
    Store(#[from] StoreError),
    #[error("demo account")]
    Account(String),
    #[error("demo inspection: {0}")]
    Inspection(String),
}

/// A line of data/divisions.csv.
#[derive(Deserialize)]
struct DivisionLine {
    code: String,
    name: String,
}

#[derive(Deserialize)]
struct DemoCollection {
    features: Vec<DemoFeature>,
}

#[derive(Deserialize)]
struct DemoFeature {
    #[serde(default)]
    geometry: Option<Value>,
    properties: PlaceProperties,
}

/// The vintage of the demo data (国家统计局 2023 年统计用区划代码).
const DEMO_DATA_IN_FORCE_FROM: chrono::NaiveDate = match chrono::NaiveDate::from_ymd_opt(2023, 1, 1)
{
    Some(day) => day,
    None => panic!("a valid date"),
};

/// Loads the demo data unless the database already holds records; all of it or nothing.
pub async fn load_if_empty(
    store: &Store,
    catalog: &CategoryCatalog,
    dir: &Path,
) -> Result<(), DemoError> {
    if store.place_count().await? > 0 {
        tracing::info!("the database already holds records: demo data not loaded");
        return Ok(());
    }
    let divisions = read_divisions(&dir.join("divisions.csv"))?;
    let places = read_places(&dir.join("places.geojson"), catalog, &divisions)?;
    let author = Author::system("demo-loader");
    let added = store
        .import_divisions(&divisions, &author, |_| {})
        .await?
        .added;
    let change = Change {
        action: ChangeAction::Created,
        // The records describe the 2023 division table, so they are in force from then on and
        // a change recorded later can be read as of any day since.
        effective_on: DEMO_DATA_IN_FORCE_FROM,
        comment: Some("demo data from data/ (see data/SOURCES.md)"),
        author: &author,
        correction: None,
    };
    let imported = store.import_places(&places, &change).await?;
    create_demo_accounts(store, &author).await?;
    let signs = create_demo_signs(store, &author).await?;
    tracing::info!(
        divisions = added,
        places = imported,
        signs,
        "demo data loaded; demo accounts use the password {DEMO_PASSWORD:?}"
    );
    Ok(())
}

/// Signs for the demo places: an area sign at every township and settlement with a position,
/// and a village sign (without surveyed position) for each village of 嘉善县.
async fn create_demo_signs(store: &Store, author: &Author) -> Result<usize, DemoError> {
    let mut created = 0;
    for (category, division, kind) in [
        ("214", "33", SignKind::AdministrativeArea),
        ("24", "33", SignKind::ResidentialArea),
        ("222", "330421", SignKind::Village),
    ] {
        let filter = PlaceFilter {
            category_code: Some(category.into()),
            division_prefix: Some(division.into()),
            limit: 1000,
            ..Default::default()
        };
        let (places, _) = store.list_places(&filter).await?;
        for place in places {
            let position = place.geometry.as_ref().and_then(|g| {
                match (g["type"].as_str(), g["coordinates"].as_array()) {
                    (Some("Point"), Some(c)) => Some([c[0].as_f64()?, c[1].as_f64()?]),
                    _ => None,
                }
            });
            if position.is_none() && kind != SignKind::Village {
                continue;
            }
            created += 1;
            let sign = SignInput {
                place_id: place.id,
                kind,
                sign_number: Some(format!("JX-{created:04}")),
                address: None,
                position,
                facing_deg: None,
                material: None,
                width_mm: None,
                height_mm: None,
                installed_on: None,
                status: Some(SignStatus::Installed),
            };
            let division = place
                .properties
                .division_codes
                .first()
                .cloned()
                .unwrap_or_default();
            store
                .create_sign(&sign, &division, demo_code, author)
                .await?;
        }
    }
    Ok(created)
}

fn demo_code() -> PublicCode {
    let mut bytes = [0u8; 5];
    getrandom::fill(&mut bytes).expect("the system random generator is available");
    PublicCode::from_random(bytes)
}

async fn create_demo_accounts(store: &Store, author: &Author) -> Result<(), DemoError> {
    let hash = hash_password(DEMO_PASSWORD).map_err(|e| DemoError::Account(e.to_string()))?;
    for (name, role, jurisdictions) in DEMO_ACCOUNTS {
        let username = Username::parse(name).map_err(|e| DemoError::Account(e.to_string()))?;
        let jurisdictions: Vec<Jurisdiction> = jurisdictions
            .iter()
            .map(|j| Jurisdiction::parse(j).map_err(|e| DemoError::Account(e.to_string())))
            .collect::<Result<_, _>>()?;
        match store
            .create_user(&username, &hash, role, &jurisdictions, author)
            .await
        {
            Ok(_) | Err(StoreError::AlreadyExists(_)) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(())
}

/// Reads `code,name` rows; every code must be well-formed.
pub fn read_divisions(path: &Path) -> Result<Vec<DivisionRow>, DemoError> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| DemoError::Read {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let mut divisions = Vec::new();
    for row in reader.deserialize::<DivisionLine>() {
        let bad_row = |line: u64, message: String| DemoError::BadRow {
            path: path.to_path_buf(),
            line,
            message,
        };
        let row = row.map_err(|e| bad_row(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = divisions.len() as u64 + 2;
        let code = DivisionCode::parse(&row.code)
            .map_err(|e| bad_row(line, format!("{}: {e}", row.code)))?;
        divisions.push(DivisionRow {
            code,
            name: row.name,
        });
    }
    Ok(divisions)
}

fn read_places(
    path: &Path,
    catalog: &CategoryCatalog,
    divisions: &[DivisionRow],
) -> Result<Vec<ValidPlace>, DemoError> {
    let text = std::fs::read_to_string(path).map_err(|source| DemoError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let collection: DemoCollection =
        serde_json::from_str(&text).map_err(|e| DemoError::BadCollection {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    let day = today();
    collection
        .features
        .into_iter()
        .enumerate()
        .map(|(index, feature)| {
            let name = feature.properties.standard_name.clone();
            let bad = |errors: Vec<FieldError>| DemoError::BadFeature {
                path: path.to_path_buf(),
                index,
                name: name.clone(),
                errors,
            };
            let place =
                ValidPlace::parse(feature.properties, feature.geometry.as_ref(), catalog, day)
                    .map_err(|e| bad(e.into_vec()))?;
            if let Some(unknown) = place
                .divisions()
                .iter()
                .find(|c| !divisions.iter().any(|d| d.code == **c))
            {
                return Err(bad(vec![FieldError::new(
                    "properties.division_codes",
                    format!("{unknown} is not in divisions.csv"),
                )]));
            }
            Ok(place.romanized_by_rules(catalog))
        })
        .collect()
}
