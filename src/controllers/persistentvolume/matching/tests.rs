//! The cases of `index_test.go`, `pv_helpers_test.go` and `helpers_test.go`
//! (testdata/kubernetes/storage.json, groups 1 to 3).

use super::*;
use crate::api::pod::{NodeSelector, NodeSelectorTerm};
use crate::api::storage::AccessMode;
use crate::labels::{NodeSelectorRequirement, label_selector_as_selector};
use serde_json::Value;

fn vectors() -> Value {
    serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/kubernetes/storage.json")))
        .unwrap()
}

fn group<'a>(all: &'a Value, name: &str) -> &'a [Value] {
    all[name].as_array().unwrap()
}

/// A volume of a case, owning what `VolumeFacts` borrows.
struct Volume {
    name: String,
    uid: String,
    capacity: i128,
    modes: AccessModes,
    block: bool,
    class: String,
    labels: BTreeMap<String, String>,
    claim_ref: Option<(String, String, Option<u64>)>,
    available: bool,
    deleting: bool,
    affinity: Option<RequiredNodeAffinity>,
    attributes_class: String,
}

impl Volume {
    fn read(v: &Value) -> Volume {
        let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
        let claim_ref = match &v["claimRef"] {
            Value::Null => None,
            // "{} (empty ObjectReference)": a claimRef naming no claim.
            Value::String(_) => Some(Default::default()),
            // A uid names a claim other than the case's, which has none.
            r => Some((
                r["namespace"].as_str().unwrap_or("").into(),
                r["name"].as_str().unwrap_or("").into(),
                r["uid"].as_str().map(|_| 1),
            )),
        };
        Volume {
            name: if v["pvName"].is_string() { s("pvName") } else { s("name") },
            uid: s("uid"),
            capacity: bytes(v["capacity"].as_str().unwrap()),
            modes: modes(&v["modes"]),
            block: v["volumeMode"] == "Block",
            class: s("class"),
            labels: serde_json::from_value(v["labels"].clone()).unwrap_or_default(),
            claim_ref,
            available: v["phase"].as_str().is_none_or(|p| p == "Available"),
            deleting: v["deletionTimestampSet"] == true,
            affinity: affinity(&v["nodeAffinity"]),
            attributes_class: s("vac"),
        }
    }

    fn facts(&self) -> VolumeFacts<'_> {
        VolumeFacts {
            name: &self.name,
            capacity: self.capacity,
            modes: self.modes,
            block: self.block,
            class: &self.class,
            labels: &self.labels,
            claim_ref: self.claim_ref.as_ref().map(|(ns, n, u)| ClaimRef { namespace: ns, name: n, uid: *u }),
            available: self.available,
            deleting: self.deleting,
            node_affinity: self.affinity.as_ref(),
            attributes_class: &self.attributes_class,
        }
    }
}

/// Modes as the cases write them (`RWO`, ...).
/// A quantity of the cases in bytes: an integer with a decimal (`G`, `E`) or binary
/// (`Mi`, `Gi`) suffix; `800E` passes `i64`.
pub(crate) fn bytes(q: &str) -> i128 {
    let digits = q.find(|c: char| !c.is_ascii_digit()).unwrap_or(q.len());
    let n: i128 = q[..digits].parse().unwrap();
    let scale: i128 = match &q[digits..] {
        "" => 1,
        "k" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        "T" => 1_000_000_000_000,
        "E" => 1_000_000_000_000_000_000,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        other => panic!("suffix {other}"),
    };
    n * scale
}

fn modes(v: &Value) -> AccessModes {
    let mut set = AccessModes::default();
    for m in v.as_array().unwrap() {
        set.insert(*AccessMode::ALL.iter().find(|a| a.abbreviation() == m).unwrap());
    }
    set
}

/// `{"terms": [[{key, operator, values}]]}` as the PV's `nodeAffinity.required`; `null`
/// is no affinity; `{"terms": null}` an affinity without `required`.
fn affinity(v: &Value) -> Option<RequiredNodeAffinity> {
    if v.is_null() {
        return None;
    }
    let required = v["terms"].as_array().map(|terms| NodeSelector {
        node_selector_terms: terms
            .iter()
            .map(|t| NodeSelectorTerm {
                match_expressions: serde_json::from_value::<Vec<NodeSelectorRequirement>>(t.clone()).unwrap(),
                match_fields: Vec::new(),
            })
            .collect(),
    });
    Some(required.as_ref().map_or_else(RequiredNodeAffinity::default, RequiredNodeAffinity::of_selector))
}

/// A claim of a case, owning what `ClaimFacts` borrows.
struct Claim {
    namespace: String,
    name: String,
    request: i128,
    modes: AccessModes,
    block: bool,
    class: String,
    selector: Option<Selector>,
    attributes_class: String,
}

impl Claim {
    /// `makePVC`'s defaults: claim01 in myns, no class, no selector, Filesystem.
    fn read(c: &Value) -> Claim {
        let selector = c["selector"].as_object().map(|labels| {
            let sel = crate::labels::LabelSelector {
                match_labels: labels.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())).collect(),
                match_expressions: Vec::new(),
            };
            label_selector_as_selector(Some(&sel)).unwrap()
        });
        Claim {
            namespace: c["namespace"].as_str().unwrap_or("myns").into(),
            name: c["name"].as_str().unwrap_or("claim01").into(),
            request: bytes(c["request"].as_str().unwrap()),
            modes: modes(&c["modes"]),
            block: c["volumeMode"] == "Block",
            class: c["class"].as_str().unwrap_or("").into(),
            selector,
            attributes_class: c["vac"].as_str().unwrap_or("").into(),
        }
    }

    fn facts(&self) -> ClaimFacts<'_> {
        ClaimFacts {
            namespace: &self.namespace,
            name: &self.name,
            uid: 0,
            request: self.request,
            modes: self.modes,
            block: self.block,
            class: &self.class,
            selector: self.selector.as_ref(),
            attributes_class: &self.attributes_class,
        }
    }
}

/// The case's volumes: its own list, or a shared fixture (`with_vac`: every volume of
/// the fixture with VolumeAttributesClass `gold`).
fn volumes(all: &Value, case: &Value) -> Vec<Volume> {
    let list = match &case["volumes"] {
        Value::Array(list) => list.clone(),
        Value::String(s) if s.starts_with("nodeVolumes") => {
            all["_fixtures"]["node_volumes"].as_array().unwrap().clone()
        }
        Value::String(s) if s.starts_with("createTestVolumes") => {
            all["_fixtures"]["index_volumes"].as_array().unwrap().clone()
        }
        other => panic!("{other}"),
    };
    let with_vac = case["volumes"].as_str().is_some_and(|s| s.contains("volumeAttributesClassName = gold"));
    list.iter()
        .map(|v| {
            let mut volume = Volume::read(v);
            if with_vac {
                volume.attributes_class = "gold".into();
            }
            volume
        })
        .collect()
}

/// The matched volume's uid, or its name where the case names it so.
fn matched(case: &Value, volumes: &[Volume], found: Option<usize>) -> Option<String> {
    let by_uid = case["expectedMatchUID"].is_string() || !case["expectedMatchName"].is_string();
    found.map(|i| if by_uid { volumes[i].uid.clone() } else { volumes[i].name.clone() })
}

fn expected(case: &Value) -> Option<String> {
    let uid = &case["expectedMatchUID"];
    if !uid.is_null() || case.get("expectedMatchUID").is_some() {
        return uid.as_str().map(str::to_string);
    }
    case["expectedMatchName"].as_str().map(str::to_string)
}

#[test]
fn the_controller_matches_claims_as_index_test_does() {
    let all = vectors();
    let mut checked = 0;
    for case in group(&all, "1_pv_index_matching") {
        let name = format!("{} / {}", case["test_func"], case["name"]);
        match case["test_func"].as_str().unwrap() {
            "TestAllPossibleAccessModes" => {
                let vols = volumes(&all, case);
                let facts: Vec<VolumeFacts> = vols.iter().map(Volume::facts).collect();
                let wanted = modes(&case["requestedModes"]);
                let got: Vec<String> = possible_mode_sets(&facts, wanted).iter().map(|m| m.abbreviated()).collect();
                let want: Vec<String> = case["expectedGroupsAscendingBySize"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|g| g.as_str().unwrap().to_string())
                    .collect();
                assert_eq!(got, want, "{name}");
            }
            "TestStorageObjectInUseProtectionFiltering" => {
                let vols = [Volume::read(&case["volume"])];
                let claim = Claim::read(&case["claim"]);
                let facts: Vec<VolumeFacts> = vols.iter().map(Volume::facts).collect();
                let got = find_best_match_for_claim(&claim.facts(), &facts, false).unwrap();
                assert_eq!(got.is_some(), case["expectedMatch"] == true, "{name}");
            }
            _ => {
                let vols = volumes(&all, case);
                let claim = Claim::read(&case["claim"]);
                let facts: Vec<VolumeFacts> = vols.iter().map(Volume::facts).collect();
                let delay = case["delayBinding"] == true;
                let got = find_best_match_for_claim(&claim.facts(), &facts, delay).unwrap();
                assert_eq!(matched(case, &vols, got), expected(case), "{name}");
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 30);
}

#[test]
fn the_scheduler_matches_claims_on_a_node_as_pv_helpers_test_does() {
    let all = vectors();
    let cases = group(&all, "2_pv_matching_with_node");
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let vols = volumes(&all, case);
        let claim = Claim::read(&case["claim"]);
        let facts: Vec<VolumeFacts> = vols.iter().map(Volume::facts).collect();
        let node: BTreeMap<String, String> = serde_json::from_value(case["nodeLabels"].clone()).unwrap();
        let excluded: Vec<&str> =
            case["excludedVolumeNames"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        for enabled in case["vacEnabledRuns"].as_array().unwrap() {
            let enabled = enabled.as_bool().unwrap();
            let got = find_matching_volume(&claim.facts(), &facts, Some(&node), &excluded, true, enabled);
            match got {
                Err(message) => {
                    assert_eq!(case["expectError"], true, "{name} (gate {enabled}): {message}");
                    assert_eq!(Some(message.as_str()), case["expectedErrorMessage"].as_str(), "{name}");
                }
                Ok(found) => {
                    assert_eq!(case["expectError"], false, "{name} (gate {enabled})");
                    let got = found.map(|i| vols[i].uid.clone());
                    assert_eq!(got.as_deref(), case["expectedMatchUID"].as_str(), "{name} (gate {enabled})");
                }
            }
        }
    }
    assert_eq!(cases.len(), 14);
}

#[test]
fn access_modes_volume_modes_affinity_and_classes_follow_the_helpers() {
    let all = vectors();
    let cases = group(&all, "3_access_volume_modes_affinity_class");
    let mode = |v: &Value| v == "Block";
    for case in cases {
        let name = format!("{} / {}", case["test_func"], case["name"]);
        match case["test_func"].as_str().unwrap() {
            "TestCheckAccessModes" => {
                let got = check_access_modes(modes(&case["claimModes"]), modes(&case["volumeModes"]));
                assert_eq!(got, case["expected"] == true, "{name}");
            }
            "TestVolumeModeCheck" => {
                let got = volume_mode_mismatch(mode(&case["pvcVolumeMode"]), mode(&case["pvVolumeMode"]));
                assert_eq!(got, case["expectedMismatch"] == true, "{name}");
            }
            "TestFilteringVolumeModes" => {
                let vols = [Volume::read(&case["volume"])];
                let claim = Claim::read(&case["claim"]);
                let facts: Vec<VolumeFacts> = vols.iter().map(Volume::facts).collect();
                let got = find_best_match_for_claim(&claim.facts(), &facts, false).unwrap();
                assert_eq!(got.is_some(), case["expectedMatch"] == true, "{name}");
            }
            "TestCheckVolumeNodeAffinity" => {
                let labels: BTreeMap<String, String> = serde_json::from_value(case["nodeLabels"].clone()).unwrap();
                let compiled = affinity(&case["pvNodeAffinity"]);
                let got = check_node_affinity(compiled.as_ref(), &labels);
                assert_eq!(got.is_ok(), case["expectSuccess"] == true, "{name}");
            }
            "TestPersistentVolumeClaimHasClass" => {
                // `PersistentVolumeClaimHasClass` is the API type's `!has_no_class()`.
                let mut pvc = crate::api::storage::PersistentVolumeClaim::default();
                let v = &case["pvc"];
                if let Some(a) = v["annotations"].as_object() {
                    pvc.metadata.annotations = a.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().into())).collect();
                }
                pvc.spec.storage_class_name = v["storageClassName"].as_str().map(str::to_string);
                assert_eq!(!pvc.has_no_class(), case["expected"] == true, "{name}");
            }
            "TestDelayBindingMode" => {
                let classes = case["storageClasses"].as_object().unwrap();
                let class_name = case["pvcStorageClassName"].as_str().unwrap_or("");
                let class = classes.get(class_name).map(|mode| mode.as_str().map(|m| m == "WaitForFirstConsumer"));
                match is_delay_binding_mode(class_name, class) {
                    Ok(delay) => {
                        assert_eq!(case["expectError"], false, "{name}");
                        assert_eq!(delay, case["expectedDelay"] == true, "{name}");
                    }
                    Err(_) => assert_eq!(case["expectError"], true, "{name}"),
                }
            }
            other => panic!("unknown test {other}"),
        }
    }
    assert_eq!(cases.len(), 34);
}
