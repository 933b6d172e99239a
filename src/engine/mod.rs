//! The discrete-event engine: simulated time, the event queue, random streams and
//! distributions. It knows nothing of Kubernetes; `sim` drives it.

pub mod dist;
pub mod queue;
pub mod rng;
pub mod time;
pub mod timer;

pub use dist::Distribution;
pub use queue::EventQueue;
pub use rng::{SimRng, Stream, Streams};
pub use time::{Millis, SimTime};
pub use timer::{Timer, TimerToken};
