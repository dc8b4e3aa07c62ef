import PurserWire

/// An open enum as services declare them.
struct HoldStatus: WireEnum, Hashable {
    var rawValue: Int32
    init(rawValue: Int32) { self.rawValue = rawValue }
    static let unspecified = HoldStatus(rawValue: 0)
    static let pending = HoldStatus(rawValue: 1)
    static let captured = HoldStatus(rawValue: 2)
}

/// `message Money { int64 micros = 1; string currency = 2; repeated string notes = 3; }`
struct Money: WireMessage, Hashable {
    var micros: Int64 = 0
    var currency = ""
    var notes: [String] = []

    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &micros)
        try t.field(2, &currency)
        try t.field(3, &notes)
    }
}

/// One field of every supported shape and protobuf type.
struct Everything: WireMessage {
    var int32: Int32 = 0
    var int64: Int64 = 0
    var uint32: UInt32 = 0
    var uint64: UInt64 = 0
    var sint32: Int32 = 0
    var sint64: Int64 = 0
    var fixed32: UInt32 = 0
    var fixed64: UInt64 = 0
    var sfixed32: Int32 = 0
    var sfixed64: Int64 = 0
    var flag = false
    var text = ""
    var data: [UInt8] = []
    var status = HoldStatus.unspecified
    var ratio: Double = 0
    var money: Money? = nil
    var plainMoney = Money()
    var ints: [Int64] = []
    var sints: [Int32] = []
    var fixeds: [UInt64] = []
    var flags: [Bool] = []
    var statuses: [HoldStatus] = []
    var texts: [String] = []
    var blobs: [[UInt8]] = []
    var monies: [Money] = []
    var labels: [String: String] = [:]
    var counts: [String: Int64] = [:]
    var accounts: [Int64: Money] = [:]
    var maybeCount: Int64? = nil
    var maybeText: String? = nil
    var maybeFlag: Bool? = nil
    var score: Float = 0
    var last: Int64 = 0

    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &int32)
        try t.field(2, &int64)
        try t.field(3, &uint32)
        try t.field(4, &uint64)
        try t.field(5, &sint32, .sint)
        try t.field(6, &sint64, .sint)
        try t.field(7, &fixed32, .fixed)
        try t.field(8, &fixed64, .fixed)
        try t.field(9, &sfixed32, .fixed)
        try t.field(10, &sfixed64, .fixed)
        try t.field(11, &flag)
        try t.field(12, &text)
        try t.field(13, &data)
        try t.field(14, &status)
        try t.field(15, &ratio)
        try t.field(16, &money)
        try t.field(17, &plainMoney)
        try t.field(18, &ints)
        try t.field(19, &sints, .sint)
        try t.field(20, &fixeds, .fixed)
        try t.field(21, &flags)
        try t.field(22, &statuses)
        try t.field(23, &texts)
        try t.field(24, &blobs)
        try t.field(25, &monies)
        try t.field(26, &labels)
        try t.field(27, &counts, value: .sint)
        try t.field(28, &accounts)
        try t.field(29, &maybeCount)
        try t.field(30, &maybeText)
        try t.field(31, &maybeFlag)
        try t.field(32, &score)
        try t.field(536_870_911, &last)
    }
}

/// A message that nests itself, for depth limits.
struct Node: WireMessage {
    var value: Int64 = 0
    var children: [Node] = []

    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &value)
        try t.field(2, &children)
    }
}

/// The protobuf specification's examples: `Test1 { int32 a = 1; }` and friends,
/// gathered in one message.
struct SpecExample: WireMessage {
    var a: Int32 = 0
    var b = ""
    var c: SpecInner? = nil
    var d: [Int32] = []

    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &a)
        try t.field(2, &b)
        try t.field(3, &c)
        try t.field(4, &d)
    }
}

/// `message Test1 { int32 a = 1; }` from the specification.
struct SpecInner: WireMessage {
    var a: Int32 = 0

    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &a)
    }
}

/// Encodes `value` as a varint, independently of the codec under test.
func varint(_ value: UInt64) -> [UInt8] {
    var value = value
    var bytes: [UInt8] = []
    repeat {
        let low = UInt8(value & 0x7F)
        value >>= 7
        bytes.append(value == 0 ? low : low | 0x80)
    } while value != 0
    return bytes
}

/// A tag byte sequence for field `number` with raw wire type `wireType`.
func tag(_ number: UInt64, _ wireType: UInt64) -> [UInt8] {
    varint(number << 3 | wireType)
}

/// A length-delimited field built by hand.
func lengthDelimited(_ number: UInt64, _ payload: [UInt8]) -> [UInt8] {
    tag(number, 2) + varint(UInt64(payload.count)) + payload
}
