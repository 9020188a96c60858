//! The house-number certificate (门牌证) of an assigned address, as a typeset PDF with the full
//! standard address and the QR code of its door plate (the plate in the sign inventory with the
//! same address, when there is one). Staff working in the address's division may print it.

use chrono::Datelike;

use super::addresses::AddressError;
use super::{AppState, Staff};
use crate::domain::account::AccessError;
use crate::domain::address::{AddressPath, AddressStatus};
use crate::domain::division_code::{DivisionCode, DivisionLevel};
use crate::render::address_certificate::{Certificate, certificate_document};
use crate::render::qr::QrMatrix;
use crate::store::StoreError;
use crate::store::places::VersionSelector;
use crate::store::signs::SignFilter;

/// The certificate of address `id` as PDF bytes.
pub async fn certificate_pdf(
    state: &AppState,
    staff: &Staff,
    id: i64,
) -> Result<Vec<u8>, AddressError> {
    let address = state
        .store
        .address(id, VersionSelector::Current)
        .await?
        .ok_or_else(|| AddressError::NotFound(format!("there is no address {id}")))?;
    let record = &address.record;
    let division = DivisionCode::parse(&record.division_code)
        .map_err(|e| AddressError::Store(StoreError::Corrupt(e.to_string())))?;
    if !staff.actor.works_in(&division) {
        return Err(AccessError::OutsideJurisdiction(division).into());
    }
    if record.status != AddressStatus::Assigned {
        return Err(AddressError::Conflict(format!(
            "address {id} is {}: a certificate is issued for an assigned address",
            record.status.as_str()
        )));
    }
    let road = state
        .store
        .place(record.road_id, VersionSelector::Current, false)
        .await?
        .ok_or_else(|| AddressError::NotFound(format!("there is no road {}", record.road_id)))?;
    let chain = state.store.division_chain(&division).await?;
    let county = chain
        .iter()
        .rev()
        .find(|d| d.level == DivisionLevel::County)
        .map_or_else(String::new, |d| d.name.clone());
    let (_, rules) = super::addresses::rules_for(state, division.as_str()).await?;
    let below = AddressPath {
        number: None,
        ..record.path.clone()
    };
    let below = below.written(rules.suffix_style);
    let full_address = format!(
        "{}{}{}",
        chain.iter().map(|d| d.name.as_str()).collect::<String>(),
        road.properties.standard_name,
        record.path.written(rules.suffix_style)
    );
    // The door plate of this address, if the inventory has it: its QR code opens its page.
    let (plates, _) = state
        .store
        .list_signs(&SignFilter {
            place_id: Some(record.road_id),
            limit: 10_000,
            ..Default::default()
        })
        .await?;
    let qr = plates
        .iter()
        .find(|s| {
            s.kind.is_door_plate() && s.address.as_deref() == Some(record.standard_address.as_str())
        })
        .and_then(|s| {
            let url = state.settings.public_url(&s.public_code);
            QrMatrix::encode(&url).ok().map(|m| (m.svg(40), url))
        });
    let day = address.meta.effective_on;
    let certificate = Certificate {
        number: format!("{county}门牌证〔{}〕第{id}号", day.year()),
        full_address,
        standard_address: record.standard_address.clone(),
        road: match &road.properties.romanization {
            Some(r) => format!("{}（{r}）", road.properties.standard_name),
            None => road.properties.standard_name.clone(),
        },
        door_number: record.path.number.map(|n| n.written(rules.suffix_style)),
        below_door: (!below.is_empty()).then_some(below),
        plate: record.level.plate().to_string(),
        point: record.point.map(|[x, y]| format!("{x:.6}, {y:.6}")),
        assigned_on: format!("{}年{}月{}日", day.year(), day.month(), day.day()),
        office: format!("{county}民政局"),
        qr,
    };
    Ok(super::pdf::render(state, certificate_document(&certificate)).await?)
}
