//! `core/v1` ConfigMap and Secret: objects a pod's volumes project as files
//! (`staging/src/k8s.io/api/core/v1/types.go`). Their data is kept as written: what the
//! simulation needs is which keys exist and how large they are.

use super::meta::ObjectMeta;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A Secret's `type` when unset (`SetDefaults_Secret`).
pub const DEFAULT_SECRET_TYPE: &str = "Opaque";

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigMap {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub data: BTreeMap<String, String>,
    /// Values in base64, as the API carries them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub binary_data: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub immutable: Option<bool>,
}

impl ConfigMap {
    /// Every key, from `data` and `binaryData` (validation keeps them apart).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.data.keys().chain(self.binary_data.keys()).map(String::as_str)
    }

    /// kubectl's DATA column: `len(data) + len(binaryData)`.
    pub fn data_count(&self) -> usize {
        self.data.len() + self.binary_data.len()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Secret {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// Values in base64, as the API carries them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub data: BTreeMap<String, String>,
    /// Plain values a client writes: the API server merges them into `data` (a key in
    /// both takes this value) and never returns them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub string_data: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub immutable: Option<bool>,
}

impl Secret {
    /// The type, `Opaque` when unset.
    pub fn type_name(&self) -> &str {
        self.type_.as_deref().unwrap_or(DEFAULT_SECRET_TYPE)
    }

    /// Every key once, `data` and `stringData` merged.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        let extra = self.string_data.keys().filter(|k| !self.data.contains_key(*k));
        self.data.keys().chain(extra).map(String::as_str)
    }

    /// kubectl's DATA column: the keys once merged.
    pub fn data_count(&self) -> usize {
        self.keys().count()
    }
}
