//! Addresses: IPv4 CIDRs and the three allocators that hand them out.
//!
//! * [`CidrSet`]: node IPAM, the range allocator of kube-controller-manager
//!   (`pkg/controller/nodeipam/ipam/cidrset/cidr_set.go`): one pod CIDR per node from the
//!   cluster CIDR, scanning from the candidate after the last one given.
//! * [`PodRange`]: the CNI `host-local` IPAM on a node
//!   (containernetworking/plugins `plugins/ipam/host-local/backend/allocator/allocator.go`):
//!   one address per pod sandbox from the node's pod CIDR, round-robin from the address
//!   after the last one reserved, the gateway (`.1`) skipped.
//! * [`ServiceIps`]: the API server's ClusterIP allocator
//!   (`pkg/registry/core/service/ipallocator/ipallocator.go`): a random start in the upper
//!   band of the service CIDR (above `calculateRangeOffset`), then a linear scan; the lower
//!   band only when the upper one is full. The random start comes from a seeded stream.

use crate::engine::SimRng;
use std::fmt;

/// An IPv4 address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ipv4(pub u32);

impl Ipv4 {
    /// Dotted quad, as Go's `net.ParseIP` reads it for IPv4 (`ParseIPSloppy` also takes
    /// leading zeros as decimal).
    pub fn parse(text: &str) -> Option<Ipv4> {
        let mut value: u32 = 0;
        let mut parts = 0;
        for part in text.split('.') {
            if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let n: u32 = part.parse().ok()?;
            if n > 255 {
                return None;
            }
            value = value << 8 | n;
            parts += 1;
        }
        (parts == 4).then_some(Ipv4(value))
    }

    /// The dotted quad written into `buf` (no allocation).
    pub fn write_into(self, buf: &mut [u8; 15]) -> &str {
        let mut len = 0;
        for (i, octet) in self.0.to_be_bytes().into_iter().enumerate() {
            if i > 0 {
                buf[len] = b'.';
                len += 1;
            }
            let digits = [octet / 100, octet / 10 % 10, octet % 10];
            let skip = if octet >= 100 {
                0
            } else if octet >= 10 {
                1
            } else {
                2
            };
            for d in &digits[skip..] {
                buf[len] = b'0' + d;
                len += 1;
            }
        }
        std::str::from_utf8(&buf[..len]).expect("ASCII digits and dots")
    }

    /// The name of the pod's DNS A record: the address with dashes
    /// (`10-244-1-5`, CoreDNS `kubernetes` plugin, pod records).
    pub fn dashed(self) -> String {
        self.to_string().replace('.', "-")
    }
}

impl fmt::Display for Ipv4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.0.to_be_bytes();
        write!(f, "{a}.{b}.{c}.{d}")
    }
}

/// An IPv4 network: its first address and prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cidr {
    pub base: u32,
    pub prefix: u8,
}

impl Cidr {
    /// `10.244.0.0/16`. As Go's `net.ParseCIDR`, host bits are allowed and dropped.
    pub fn parse(text: &str) -> Option<Cidr> {
        let (ip, prefix) = text.split_once('/')?;
        let ip = Ipv4::parse(ip)?;
        if prefix.is_empty() || prefix.len() > 2 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let prefix: u8 = prefix.parse().ok()?;
        (prefix <= 32).then(|| Cidr::new(ip.0, prefix))
    }

    pub fn new(ip: u32, prefix: u8) -> Cidr {
        Cidr { base: ip & Cidr::mask(prefix), prefix }
    }

    fn mask(prefix: u8) -> u32 {
        if prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(prefix)) }
    }

    /// How many addresses the network holds.
    pub fn size(self) -> u64 {
        1u64 << (32 - u32::from(self.prefix))
    }

    pub fn contains(self, ip: Ipv4) -> bool {
        ip.0 & Cidr::mask(self.prefix) == self.base
    }

    pub fn overlaps(self, other: Cidr) -> bool {
        let prefix = self.prefix.min(other.prefix);
        self.base & Cidr::mask(prefix) == other.base & Cidr::mask(prefix)
    }

    /// The `i`-th address of the network.
    pub fn nth(self, i: u64) -> Ipv4 {
        Ipv4(self.base.wrapping_add(i as u32))
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", Ipv4(self.base), self.prefix)
    }
}

/// The cluster's networks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetworkConfig {
    /// Where node IPAM takes each node's pod CIDR from.
    pub cluster_cidr: Cidr,
    /// The prefix length of a node's pod CIDR.
    pub node_mask: u8,
    /// Where ClusterIPs come from.
    pub service_cidr: Cidr,
    /// Where nodes' InternalIPs come from (the VPC subnet of the nodes).
    pub node_ips: Cidr,
    /// The most endpoints the EndpointSlice controller puts in one slice.
    pub max_endpoints_per_slice: u32,
}

impl NetworkConfig {
    /// kube-controller-manager `--node-cidr-mask-size` for IPv4
    /// (`pkg/controller/nodeipam/config/v1alpha1/defaults.go`).
    pub const NODE_MASK: u8 = 24;
    /// kubeadm `DefaultServicesSubnet` (`cmd/kubeadm/app/apis/kubeadm/v1beta4/defaults.go`).
    pub const SERVICE_CIDR: &str = "10.96.0.0/12";
    /// `--max-endpoints-per-slice` (`pkg/controller/endpointslice/config/v1alpha1/defaults.go`).
    pub const MAX_ENDPOINTS_PER_SLICE: u32 = 100;

    /// The defaults for a cluster of `nodes` nodes: the cluster CIDR and the nodes'
    /// subnet as kube-up sizes them (`cluster/gce/config-common.sh`,
    /// `get-cluster-ip-range` and `get-node-ip-range`: /14 and /22 up to 1,000 nodes,
    /// one bit more above 1,000, 2,000 and 4,000), kube-controller-manager's node mask,
    /// kubeadm's service CIDR. Neither kube-controller-manager nor kubeadm has a default
    /// cluster CIDR; kube-up's grows with the cluster, so no default cluster runs out.
    pub fn defaults(nodes: u64) -> NetworkConfig {
        let extra = [1000, 2000, 4000].iter().filter(|n| nodes > **n).count() as u8;
        let cidr = |text: &str| Cidr::parse(text).expect("a valid literal");
        let mut cluster_cidr = cidr("10.64.0.0/14");
        cluster_cidr.prefix -= extra;
        let mut node_ips = cidr("10.40.0.0/22");
        node_ips.prefix -= extra;
        NetworkConfig {
            cluster_cidr,
            node_mask: Self::NODE_MASK,
            service_cidr: cidr(Self::SERVICE_CIDR),
            node_ips,
            max_endpoints_per_slice: Self::MAX_ENDPOINTS_PER_SLICE,
        }
    }
}

/// What the cluster's networks hold besides the nodes' own ranges: node IPAM's pod
/// CIDRs, the ClusterIPs taken, and the nodes' own addresses.
#[derive(Clone, Debug)]
pub struct NetState {
    pub config: NetworkConfig,
    pub node_cidrs: CidrSet,
    pub service_ips: ServiceIps,
    pub node_ports: NodePorts,
    /// The ClusterIP allocator's random starts (`Stream::ClusterIps`).
    pub cluster_ip_draws: SimRng,
    /// The node port allocator's (the same purpose, keyed 1).
    pub node_port_draws: SimRng,
    /// Nodes that joined while the cluster CIDR was full (`CIDRNotAvailable`), in the
    /// order they joined: each gets the next CIDR a leaving node frees.
    pub waiting: Vec<super::NodeId>,
    /// InternalIPs handed out so far (the next node gets the one after).
    nodes_addressed: u64,
}

impl NetState {
    pub fn new(config: NetworkConfig, cluster_ip_draws: SimRng, node_port_draws: SimRng) -> NetState {
        let mut node_cidrs = CidrSet::new(config.cluster_cidr, config.node_mask);
        // `NewCIDRRangeAllocator`: the service range is never a node's pod range.
        node_cidrs.occupy(config.service_cidr);
        let mut service_ips = ServiceIps::new(config.service_cidr);
        // What every cluster holds before its workloads: the `kubernetes` Service (the
        // first address, the API server's bootstrap controller) and kubeadm's cluster
        // DNS Service `kube-dns` (`GetDNSIP`: the tenth address).
        for i in [1, 10] {
            if i + 1 < config.service_cidr.size() {
                let _ = service_ips.allocate(config.service_cidr.nth(i));
            }
        }
        NetState {
            config,
            node_cidrs,
            service_ips,
            node_ports: NodePorts::new(),
            cluster_ip_draws,
            node_port_draws,
            waiting: Vec::new(),
            nodes_addressed: 0,
        }
    }

    /// The next node's InternalIP: the nodes' subnet in order, from network+2 (the
    /// gateway is network+1), as a cloud's DHCP hands them out.
    pub fn next_node_ip(&mut self) -> Ipv4 {
        let usable = self.config.node_ips.size().saturating_sub(3).max(1);
        let ip = self.config.node_ips.nth(2 + self.nodes_addressed % usable);
        self.nodes_addressed += 1;
        ip
    }
}

/// A set of bits (the allocators' `used` maps).
#[derive(Clone, Debug, Default)]
struct Bits(Vec<u64>);

impl Bits {
    fn with_len(n: u64) -> Bits {
        Bits(vec![0; n.div_ceil(64) as usize])
    }
    fn get(&self, i: u64) -> bool {
        self.0[(i / 64) as usize] >> (i % 64) & 1 == 1
    }
    fn set(&mut self, i: u64, on: bool) {
        let word = &mut self.0[(i / 64) as usize];
        if on {
            *word |= 1 << (i % 64);
        } else {
            *word &= !(1 << (i % 64));
        }
    }
}

/// `cidrset.CidrSet`: the node CIDRs of the cluster CIDR.
#[derive(Clone, Debug)]
pub struct CidrSet {
    cluster: Cidr,
    node_prefix: u8,
    max: u64,
    used: Bits,
    allocated: u64,
    next_candidate: u64,
}

impl CidrSet {
    /// `maxCIDRs = 1 << (nodeMask - clusterMask)`; the caller checked
    /// `cluster.prefix <= node_prefix`.
    pub fn new(cluster: Cidr, node_prefix: u8) -> CidrSet {
        let max = 1u64 << (node_prefix - cluster.prefix);
        CidrSet { cluster, node_prefix, max, used: Bits::with_len(max), allocated: 0, next_candidate: 0 }
    }

    fn block(&self, index: u64) -> Cidr {
        Cidr::new(
            self.cluster.base.wrapping_add((index << (32 - u32::from(self.node_prefix))) as u32),
            self.node_prefix,
        )
    }

    /// `AllocateNext`: the first free block from the next candidate on, wrapping once;
    /// the candidate then moves past it. `None`: `ErrCIDRRangeNoCIDRsRemaining`.
    pub fn allocate_next(&mut self) -> Option<Cidr> {
        if self.allocated == self.max {
            return None;
        }
        let mut candidate = self.next_candidate;
        for _ in 0..self.max {
            if !self.used.get(candidate) {
                break;
            }
            candidate = (candidate + 1) % self.max;
        }
        self.next_candidate = (candidate + 1) % self.max;
        self.used.set(candidate, true);
        self.allocated += 1;
        Some(self.block(candidate))
    }

    /// The blocks of `cidr` that fall inside the cluster CIDR, as indexes.
    fn indexes(&self, cidr: Cidr) -> Option<(u64, u64)> {
        if !self.cluster.overlaps(cidr) {
            return None;
        }
        let shift = 32 - u32::from(self.node_prefix);
        let lo = cidr.base.max(self.cluster.base);
        let hi = (u64::from(cidr.base) + cidr.size()).min(u64::from(self.cluster.base) + self.cluster.size()) - 1;
        let first = u64::from(lo - self.cluster.base) >> shift;
        let last = (hi - u64::from(self.cluster.base)) >> shift;
        Some((first, last))
    }

    /// `Occupy`: marks the blocks `cidr` covers (the service CIDR when it overlaps, a
    /// node's existing `spec.podCIDR`).
    pub fn occupy(&mut self, cidr: Cidr) {
        if let Some((first, last)) = self.indexes(cidr) {
            for i in first..=last {
                if !self.used.get(i) {
                    self.used.set(i, true);
                    self.allocated += 1;
                }
            }
        }
    }

    /// `Release`: the node is gone.
    pub fn release(&mut self, cidr: Cidr) {
        if let Some((first, last)) = self.indexes(cidr) {
            for i in first..=last {
                if self.used.get(i) {
                    self.used.set(i, false);
                    self.allocated -= 1;
                }
            }
        }
    }
}

/// The host-local IPAM of one node: the addresses of its pod CIDR, network+1 (the
/// gateway, skipped) to broadcast-1, each reserved by one sandbox.
#[derive(Clone, Debug)]
pub struct PodRange {
    pub subnet: Cidr,
    used: Bits,
    /// Offset of the last address reserved (`last_reserved_ip.0`): the next search
    /// starts after it.
    last_reserved: Option<u64>,
    pub held: u32,
}

impl PodRange {
    pub fn new(subnet: Cidr) -> PodRange {
        PodRange { subnet, used: Bits::with_len(subnet.size()), last_reserved: None, held: 0 }
    }

    /// `Range.Canonicalize` defaults: `rangeStart` = network+1, `rangeEnd` = the last
    /// address before broadcast, `gateway` = network+1.
    fn start(&self) -> u64 {
        1
    }
    fn end(&self) -> u64 {
        self.subnet.size().saturating_sub(2)
    }
    const GATEWAY: u64 = 1;

    /// `RangeSet.String()`: `10.244.1.1-10.244.1.254`, as the exhaustion error names it.
    pub fn range_text(&self) -> String {
        format!("{}-{}", self.subnet.nth(self.start()), self.subnet.nth(self.end()))
    }

    /// `IPAllocator.Get`: the first free address of `GetIter` (after the last reserved
    /// one, wrapping from `rangeEnd` to `rangeStart`, the gateway skipped). `None`: "no
    /// IP addresses available in range set".
    pub fn allocate(&mut self) -> Option<Ipv4> {
        let (start, end) = (self.start(), self.end());
        if end < start {
            return None;
        }
        let span = end - start + 1;
        let first = match self.last_reserved {
            Some(last) if (start..=end).contains(&last) => (last - start + 1) % span,
            _ => 0,
        };
        for step in 0..span {
            let offset = start + (first + step) % span;
            if offset == Self::GATEWAY || self.used.get(offset) {
                continue;
            }
            self.used.set(offset, true);
            self.last_reserved = Some(offset);
            self.held += 1;
            return Some(self.subnet.nth(offset));
        }
        None
    }

    /// `ReleaseByID`: the sandbox is gone.
    pub fn release(&mut self, ip: Ipv4) {
        if !self.subnet.contains(ip) {
            return;
        }
        let offset = u64::from(ip.0 - self.subnet.base);
        if self.used.get(offset) {
            self.used.set(offset, false);
            self.held -= 1;
        }
    }
}

/// Why the API server refused an address or port a Service asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllocError {
    /// `ErrNotInRange`.
    NotInRange,
    /// `ErrAllocated`.
    Allocated,
    /// `ErrFull`.
    Full,
}

/// `allocator.AllocationBitmap` with the random-scan-with-offset strategy
/// (`pkg/registry/core/service/allocator/bitmap.go`, and the same rule in
/// `ipallocator.go`'s `allocateNextService`): a random start in the upper band
/// `[offset, size)`, then the next free item (wrapping within the band); the lower
/// band the same way only when the upper one is full. The lower band is meant for
/// values users ask for.
#[derive(Clone, Debug)]
struct OffsetBitmap {
    size: u64,
    offset: u64,
    used: Bits,
}

impl OffsetBitmap {
    fn new(size: u64, offset: u64) -> OffsetBitmap {
        OffsetBitmap { size, offset: offset.min(size), used: Bits::with_len(size) }
    }

    fn take(&mut self, i: u64) -> Result<(), AllocError> {
        if i >= self.size {
            return Err(AllocError::NotInRange);
        }
        if self.used.get(i) {
            return Err(AllocError::Allocated);
        }
        self.used.set(i, true);
        Ok(())
    }

    fn take_next(&mut self, rng: &mut SimRng) -> Result<u64, AllocError> {
        for (lo, hi) in [(self.offset, self.size), (0, self.offset)] {
            let span = hi - lo;
            if span == 0 {
                continue;
            }
            let start = rng.below(span);
            for step in 0..span {
                let i = lo + (start + step) % span;
                if !self.used.get(i) {
                    self.used.set(i, true);
                    return Ok(i);
                }
            }
        }
        Err(AllocError::Full)
    }

    fn free(&mut self, i: u64) {
        if i < self.size {
            self.used.set(i, false);
        }
    }
}

/// The ClusterIPs of the service CIDR: network+1 to broadcast-1.
#[derive(Clone, Debug)]
pub struct ServiceIps {
    pub cidr: Cidr,
    map: OffsetBitmap,
}

/// `calculateRangeOffset` (`ipallocator.go`): `min(max(16, size/16), 256)`, 0 for
/// ranges of 16 addresses or fewer; the dynamic (random) band starts that far above
/// the first address, the lower band is kept for static ClusterIPs.
pub fn range_offset(cidr: Cidr) -> u64 {
    const MIN: u64 = 16;
    const MAX: u64 = 256;
    const STEP: u64 = 16;
    let size = cidr.size();
    if size <= MIN {
        return 0;
    }
    (size / STEP).clamp(MIN, MAX)
}

impl ServiceIps {
    pub fn new(cidr: Cidr) -> ServiceIps {
        ServiceIps { cidr, map: OffsetBitmap::new(cidr.size().saturating_sub(2), range_offset(cidr)) }
    }

    fn index(&self, ip: Ipv4) -> Option<u64> {
        let i = u64::from(ip.0.wrapping_sub(self.cidr.base));
        (self.cidr.contains(ip) && i >= 1).then(|| i - 1)
    }

    /// `Allocate`: a ClusterIP the Service asked for.
    pub fn allocate(&mut self, ip: Ipv4) -> Result<(), AllocError> {
        self.map.take(self.index(ip).ok_or(AllocError::NotInRange)?)
    }

    /// `AllocateNext`.
    pub fn allocate_next(&mut self, rng: &mut SimRng) -> Result<Ipv4, AllocError> {
        self.map.take_next(rng).map(|i| self.cidr.nth(i + 1))
    }

    pub fn release(&mut self, ip: Ipv4) {
        if let Some(i) = self.index(ip) {
            self.map.free(i);
        }
    }
}

/// The node ports of NodePort and LoadBalancer Services (`portallocator`), the
/// API server's `--service-node-port-range`.
#[derive(Clone, Debug)]
pub struct NodePorts {
    pub base: u32,
    pub size: u32,
    map: OffsetBitmap,
}

impl NodePorts {
    /// `DefaultServiceNodePortRange`: 30000-32767.
    pub const BASE: u32 = 30_000;
    pub const SIZE: u32 = 2_768;

    pub fn new() -> NodePorts {
        // `calculateRangeOffset` (`portallocator/allocator.go`): min(max(16, size/32), 128).
        let offset = if Self::SIZE <= 16 { 0 } else { (Self::SIZE / 32).clamp(16, 128) };
        NodePorts {
            base: Self::BASE,
            size: Self::SIZE,
            map: OffsetBitmap::new(u64::from(Self::SIZE), u64::from(offset)),
        }
    }

    /// `30000-32767`, as the allocator's errors name it.
    pub fn range_text(&self) -> String {
        format!("{}-{}", self.base, self.base + self.size - 1)
    }

    pub fn allocate(&mut self, port: u32) -> Result<(), AllocError> {
        let i = port.checked_sub(self.base).ok_or(AllocError::NotInRange)?;
        self.map.take(u64::from(i))
    }

    pub fn allocate_next(&mut self, rng: &mut SimRng) -> Result<u32, AllocError> {
        self.map.take_next(rng).map(|i| self.base + i as u32)
    }

    pub fn release(&mut self, port: u32) {
        if let Some(i) = port.checked_sub(self.base) {
            self.map.free(u64::from(i));
        }
    }
}

impl Default for NodePorts {
    fn default() -> Self {
        NodePorts::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Stream, Streams};

    #[test]
    fn addresses_parse_and_print() {
        assert_eq!(Ipv4::parse("10.244.1.5").map(|i| i.to_string()), Some("10.244.1.5".into()));
        assert_eq!(Ipv4::parse("10.244.1.5").unwrap().dashed(), "10-244-1-5");
        for text in ["0.0.0.0", "255.255.255.255", "10.0.100.9", "192.168.10.1"] {
            assert_eq!(Ipv4::parse(text).unwrap().write_into(&mut [0; 15]), text);
        }
        for bad in ["10.244.1", "10.244.1.256", "a.b.c.d", "1.2.3.4.5", "", "1..2.3"] {
            assert_eq!(Ipv4::parse(bad), None, "{bad}");
        }
        let c = Cidr::parse("10.96.0.1/12").unwrap();
        assert_eq!(c.to_string(), "10.96.0.0/12");
        assert!(c.contains(Ipv4::parse("10.111.255.255").unwrap()));
        assert!(!c.contains(Ipv4::parse("10.112.0.0").unwrap()));
        assert_eq!(Cidr::parse("10.0.0.0/33"), None);
    }

    /// `cidr_set_test.go` `TestCIDRSetFullyAllocated` and the order of allocation.
    #[test]
    fn node_cidrs_are_handed_out_in_order_and_wrap() {
        let mut set = CidrSet::new(Cidr::parse("10.244.0.0/22").unwrap(), 24);
        let got: Vec<String> = (0..4).map(|_| set.allocate_next().unwrap().to_string()).collect();
        assert_eq!(got, ["10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24", "10.244.3.0/24"]);
        assert_eq!(set.allocate_next(), None, "full");
        set.release(Cidr::parse("10.244.1.0/24").unwrap());
        assert_eq!(set.allocate_next().map(|c| c.to_string()), Some("10.244.1.0/24".into()));
        let mut set = CidrSet::new(Cidr::parse("10.0.0.0/16").unwrap(), 24);
        set.occupy(Cidr::parse("10.0.0.0/23").unwrap());
        assert_eq!(set.allocate_next().map(|c| c.to_string()), Some("10.0.2.0/24".into()));
    }

    #[test]
    fn host_local_goes_round_robin_and_skips_the_gateway() {
        let mut r = PodRange::new(Cidr::parse("10.244.1.0/29").unwrap());
        assert_eq!(r.range_text(), "10.244.1.1-10.244.1.6");
        let a: Vec<String> = (0..5).map(|_| r.allocate().unwrap().to_string()).collect();
        assert_eq!(a, ["10.244.1.2", "10.244.1.3", "10.244.1.4", "10.244.1.5", "10.244.1.6"]);
        assert_eq!(r.allocate(), None, "five addresses: .2 to .6");
        r.release(Ipv4::parse("10.244.1.3").unwrap());
        r.release(Ipv4::parse("10.244.1.5").unwrap());
        // The search starts after the last reserved address (.6) and wraps.
        assert_eq!(r.allocate().unwrap().to_string(), "10.244.1.3");
        assert_eq!(r.allocate().unwrap().to_string(), "10.244.1.5");
        assert_eq!(r.held, 5);
    }

    /// `x_derived_range_offset` and `TestAllocateReservedIPAllocator` (`ipallocator_test.go`).
    #[test]
    fn cluster_ips_fill_the_upper_band_first() {
        let vectors: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/kubernetes/services.json"))
                .unwrap(),
        )
        .unwrap();
        for v in vectors["range_offset"].as_array().unwrap() {
            let cidr = Cidr::parse(v["cidr"].as_str().unwrap()).unwrap();
            assert_eq!(range_offset(cidr), v["expected"].as_u64().unwrap(), "{cidr}");
        }
        let mut ips = ServiceIps::new(Cidr::parse("192.168.1.0/25").unwrap());
        let mut rng = Streams::new(1).stream(Stream::ClusterIps);
        let mut got: Vec<u32> = (0..110).map(|_| ips.allocate_next(&mut rng).unwrap().0 & 0xff).collect();
        got.sort_unstable();
        assert_eq!(got, (17..=126).collect::<Vec<u32>>(), "the upper band, .17 to .126");
        // Then the lower band, 16 addresses left for static IPs.
        assert_eq!(ips.allocate(Ipv4::parse("192.168.1.17").unwrap()), Err(AllocError::Allocated));
        assert_eq!(ips.allocate(Ipv4::parse("192.168.1.200").unwrap()), Err(AllocError::NotInRange));
        assert_eq!(ips.allocate(Ipv4::parse("192.168.1.0").unwrap()), Err(AllocError::NotInRange));
        assert_eq!(ips.allocate(Ipv4::parse("192.168.1.1").unwrap()), Ok(()));
        let low: Vec<u32> = (0..15).map(|_| ips.allocate_next(&mut rng).unwrap().0 & 0xff).collect();
        assert!(low.iter().all(|i| (2..=16).contains(i)), "{low:?}");
        assert_eq!(ips.allocate_next(&mut rng), Err(AllocError::Full));
    }
}
