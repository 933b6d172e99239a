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

    /// The Secret as the API server stores and returns it: `stringData` merged into
    /// `data` (base64), a key in both taking the `stringData` value, and `type` defaulted
    /// (`Convert_v1_Secret_To_core_Secret`, `SetDefaults_Secret`).
    pub fn stored(&self) -> Secret {
        let mut out = self.clone();
        for (k, v) in std::mem::take(&mut out.string_data) {
            out.data.insert(k, base64_encode(v.as_bytes()));
        }
        out.type_.get_or_insert_with(|| DEFAULT_SECRET_TYPE.into());
        out
    }
}

/// Standard base64 with padding (Go's `base64.StdEncoding`, as JSON carries `[]byte`).
pub fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_data_is_stored_as_base64_data() {
        assert_eq!(base64_encode(b""), "");
        assert_eq!(base64_encode(b"hello"), "aGVsbG8=");
        assert_eq!(base64_encode(b"hell"), "aGVsbA==");
        assert_eq!(base64_encode(b"hel"), "aGVs");
        let s: Secret =
            serde_saphyr::from_str("metadata: {name: s}\ndata: {a: eA==, b: eA==}\nstringData: {b: yes}").unwrap();
        let stored = s.stored();
        assert_eq!(stored.data.get("b").map(String::as_str), Some("eWVz"));
        assert!(stored.string_data.is_empty());
        assert_eq!((stored.type_name(), stored.data_count()), ("Opaque", 2));
    }
}
