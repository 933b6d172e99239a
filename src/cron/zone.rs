//! `spec.timeZone` validation, as `validateTimeZone` in Kubernetes'
//! `pkg/apis/batch/validation/validation.go` does it, with the zone loaded
//! from jiff's bundled tz database only.
//!
//! Kubernetes rejects, in this order: the empty string ("timeZone must be nil
//! or non-empty string"); names with a path part that is `.`, `..`, starts
//! with `-` or is not 1-14 characters of `[A-Za-z.\-_0-9+]` ("unknown time
//! zone"); `Local` in any case ("must be an explicit time zone"); and names
//! Go's `time.LoadLocation` cannot load ("unknown time zone"). LoadLocation
//! on Linux is case-sensitive, so the name must match the database entry
//! exactly. Leaving `spec.timeZone` unset is valid; it is not this
//! function's business (the caller then uses the controller's own zone).

use jiff::tz::{self, TimeZone};

use super::error::CronError;

/// Validates a `spec.timeZone` value and loads the zone.
pub fn validate_time_zone(name: &str) -> Result<TimeZone, CronError> {
    if name.is_empty() {
        return Err(CronError::EmptyTimeZone);
    }
    if !name.split('/').all(valid_part) {
        return Err(unknown(name));
    }
    if name.eq_ignore_ascii_case("Local") {
        return Err(CronError::LocalTimeZone { name: name.to_string() });
    }
    load(name)
}

/// One `/`-separated part: the IANA naming rules Kubernetes checks
/// (`validTimeZoneCharacters` plus the `.`, `..` and leading `-` checks).
fn valid_part(part: &str) -> bool {
    let allowed = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b'+');
    (1..=14).contains(&part.len()) && part != "." && part != ".." && !part.starts_with('-') && part.bytes().all(allowed)
}

/// Loads from the bundled database; jiff looks names up ignoring case, Go
/// does not, hence the comparison with the canonical name.
fn load(name: &str) -> Result<TimeZone, CronError> {
    let zone = tz::db().get(name).map_err(|_| unknown(name))?;
    if zone.iana_name() != Some(name) {
        return Err(unknown(name));
    }
    Ok(zone)
}

fn unknown(name: &str) -> CronError {
    CronError::UnknownTimeZone { name: name.to_string() }
}
