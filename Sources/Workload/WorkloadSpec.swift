import ContactSyncCore

/// What store traffic to generate. The same spec (seed included) always yields
/// the same records, byte for byte.
public struct WorkloadSpec: Sendable {
    /// Records in total, bad ones included.
    public var events: Int
    /// Distinct customers (`idPrefix` + 0 ..< customers).
    public var customers: Int
    /// Share of records on the login topic; the rest are profile_changed.
    public var loginShare: Double
    /// Share of records that break the contract (malformed JSON, invalid external_id, ...).
    public var badRecordShare: Double
    /// 0 = every customer equally active; about 1.0 = a few customers very active.
    public var zipfExponent: Double
    /// Custom attributes per profile edit (capped at the vocabulary's size, 6).
    public var attributesPerProfile: ClosedRange<Int>
    /// Share of events that occurred before the customer's previous event (late delivery).
    public var outOfOrderShare: Double
    /// How far a late event may lie before the customer's previous event (whole
    /// seconds, at least 2 s). nil: up to about ten minutes. The bound holds for a
    /// customer's first 999 late events; later ones go below all of its earlier events.
    public var maxLateness: Duration?
    public var seed: UInt64
    /// Prefix of every external_id and event_id, so that runs do not share contacts.
    public var idPrefix: String
    /// occurred_at of the first in-order event; each later one is a second after the previous.
    public var startTime: Timestamp

    /// 2026-11-24T00:00:00Z.
    public static let defaultStartTime = Timestamp(nanosecondsSinceEpoch: 1_795_478_400 * 1_000_000_000)

    public init(
        events: Int = 10_000, customers: Int = 2_000, loginShare: Double = 0.8,
        badRecordShare: Double = 0.005, zipfExponent: Double = 1.0,
        attributesPerProfile: ClosedRange<Int> = 1...5, outOfOrderShare: Double = 0.05,
        maxLateness: Duration? = nil, seed: UInt64 = 42, idPrefix: String = "cust-",
        startTime: Timestamp = defaultStartTime
    ) {
        self.events = events
        self.customers = customers
        self.loginShare = loginShare
        self.badRecordShare = badRecordShare
        self.zipfExponent = zipfExponent
        self.attributesPerProfile = attributesPerProfile
        self.outOfOrderShare = outOfOrderShare
        self.maxLateness = maxLateness
        self.seed = seed
        self.idPrefix = idPrefix
        self.startTime = startTime
    }

    /// Stops on a spec that cannot produce contract-valid good events.
    func validate() {
        precondition(events >= 0, "events must not be negative")
        precondition(customers >= 1, "need at least one customer")
        for share in [loginShare, badRecordShare, outOfOrderShare] {
            precondition((0...1).contains(share), "shares must be within 0...1")
        }
        precondition(zipfExponent >= 0, "zipfExponent must not be negative")
        if let maxLateness {
            precondition(maxLateness >= .seconds(2), "maxLateness must be at least 2 s")
        }
        precondition(attributesPerProfile.lowerBound >= 0, "attribute counts must not be negative")
        // external_ids are prefix + up to 19 digits, event_ids prefix + "evt-" + digits: both <= 128.
        precondition(idPrefix.utf8.count <= 100, "idPrefix must be at most 100 bytes")
        precondition(
            idPrefix.utf8.allSatisfy(\.isExternalIDByte),
            "idPrefix may hold only a-z A-Z 0-9 . _ - (the external_id rule)")
    }

    /// Whole seconds a late event may go back before the second of the customer's
    /// previous event: with one second more and the millisecond residues, a late
    /// event lies less than `maxLateness` before the previous one.
    var lateSecondsRange: Int {
        guard let maxLateness else { return 600 }
        return Int(maxLateness.components.seconds) - 1
    }
}

extension UInt8 {
    /// `[a-zA-Z0-9._-]`, Bookbag's external_id alphabet.
    var isExternalIDByte: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "-"):
            true
        default: false
        }
    }
}
