import PurserWire

/// `purser.wallet.v1.FreezeAccountResponse`.
public struct FreezeAccountResponse: WireMessage {
    public var voidedHolds: Int64 = 0
    public var releasedMicros: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &voidedHolds)
        try t.field(2, &releasedMicros)
    }
}
