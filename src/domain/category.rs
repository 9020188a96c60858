//! Place-name categories (GB/T 18521 hierarchical codes: 大类, 中类, 小类) and the catalogue
//! that resolves a category given by code or by its Chinese name.

use std::collections::HashMap;

use serde::Serialize;

/// One category of the catalogue: a class (大类, two digits), a subclass (中类) or a
/// sub-subclass (小类) with its names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Category {
    /// The hierarchical code: `24` 居民点, `242` 农村居民点.
    pub code: String,
    /// The Chinese name (居民点).
    pub name_zh: String,
    /// The English name (Residential areas).
    pub name_en: String,
    /// The code of the category one level up; none for a 大类.
    pub parent_code: Option<String>,
}

/// Why a category given by a client was not found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CategoryError {
    /// Nothing (or only spaces) was given.
    #[error("a category is required")]
    Empty,
    /// The text is neither a code nor a name of the catalogue.
    #[error(
        "{0:?} is neither a category code nor a category name of the catalogue (GET /api/v1/categories lists them)"
    )]
    Unknown(String),
}

/// The catalogue of all known categories, loaded from the reference table at start: resolves a
/// category given by code or by either name.
///
/// ```
/// use diming::domain::category::{Category, CategoryCatalog, CategoryError};
///
/// let category = |code: &str, zh: &str, en: &str, parent: Option<&str>| Category {
///     code: code.into(),
///     name_zh: zh.into(),
///     name_en: en.into(),
///     parent_code: parent.map(Into::into),
/// };
/// let catalog = CategoryCatalog::new([
///     category("24", "居民点", "Residential areas", None),
///     category("242", "农村居民点", "Rural settlements", Some("24")),
/// ]);
///
/// assert_eq!(catalog.resolve("242").unwrap().name_zh, "农村居民点");
/// assert_eq!(catalog.resolve("居民点").unwrap().code, "24");
/// // English names are matched without regard to case.
/// let rural = catalog.resolve("rural settlements").unwrap();
/// assert_eq!(rural.code, "242");
/// assert_eq!(catalog.major_class(rural).code, "24");
/// assert_eq!(catalog.resolve("99"), Err(CategoryError::Unknown("99".into())));
/// assert_eq!(catalog.len(), 2);
/// ```
#[derive(Debug, Clone, Default)]
pub struct CategoryCatalog {
    by_code: HashMap<String, Category>,
    code_by_name: HashMap<String, String>,
}

impl CategoryCatalog {
    /// Builds the catalogue from its categories (a later one with the same code or name wins).
    pub fn new(categories: impl IntoIterator<Item = Category>) -> Self {
        let mut catalog = Self::default();
        for category in categories {
            catalog
                .code_by_name
                .insert(category.name_zh.clone(), category.code.clone());
            catalog
                .code_by_name
                .insert(category.name_en.to_lowercase(), category.code.clone());
            catalog.by_code.insert(category.code.clone(), category);
        }
        catalog
    }

    /// Finds a category by its code (`24`, `241`) or its name (`居民点`, `Residential areas`).
    pub fn resolve(&self, input: &str) -> Result<&Category, CategoryError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(CategoryError::Empty);
        }
        let code = self
            .code_by_name
            .get(input)
            .or_else(|| self.code_by_name.get(&input.to_lowercase()))
            .map(String::as_str)
            .unwrap_or(input);
        self.by_code
            .get(code)
            .ok_or_else(|| CategoryError::Unknown(input.to_string()))
    }

    /// The category with exactly this code.
    pub fn get(&self, code: &str) -> Option<&Category> {
        self.by_code.get(code)
    }

    /// The 大类 (top-level class) a category belongs to.
    pub fn major_class<'a>(&'a self, category: &'a Category) -> &'a Category {
        let mut current = category;
        while let Some(parent) = current.parent_code.as_deref().and_then(|c| self.get(c)) {
            current = parent;
        }
        current
    }

    /// All categories ordered by code.
    pub fn all(&self) -> Vec<&Category> {
        let mut all: Vec<&Category> = self.by_code.values().collect();
        all.sort_by(|a, b| a.code.cmp(&b.code));
        all
    }

    /// The number of categories.
    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    /// Whether the catalogue has no category (the reference table was not loaded).
    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> CategoryCatalog {
        let cat = |code: &str, zh: &str, en: &str, parent: Option<&str>| Category {
            code: code.into(),
            name_zh: zh.into(),
            name_en: en.into(),
            parent_code: parent.map(Into::into),
        };
        CategoryCatalog::new([
            cat("24", "居民点", "Residential areas", None),
            cat("242", "农村居民点", "Rural settlements", Some("24")),
        ])
    }

    #[test]
    fn a_category_is_found_by_code_or_by_either_name() {
        let catalog = catalog();
        assert_eq!(catalog.resolve("242").unwrap().name_zh, "农村居民点");
        assert_eq!(catalog.resolve("居民点").unwrap().code, "24");
        assert_eq!(catalog.resolve("rural settlements").unwrap().code, "242");
    }

    #[test]
    fn an_unknown_category_is_named_in_the_error() {
        assert_eq!(
            catalog().resolve("99"),
            Err(CategoryError::Unknown("99".into()))
        );
        assert_eq!(catalog().resolve("  "), Err(CategoryError::Empty));
    }

    #[test]
    fn the_major_class_is_the_root_of_the_hierarchy() {
        let catalog = catalog();
        let rural = catalog.resolve("242").unwrap();
        assert_eq!(catalog.major_class(rural).code, "24");
    }
}
