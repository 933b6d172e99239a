//! The PersistentVolume controller (`pkg/controller/volume/persistentvolume`): binds
//! claims to volumes, provisions volumes through StorageClasses, reclaims released ones.

pub mod events;
pub mod matching;
pub mod provision;
