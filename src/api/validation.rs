//! Validation and defaults.
