import Foundation
import PurserRPC

/// What a ledger function answers, decoded from its `jsonb`: either `ok` with
/// the fields of the receipt, or a denial with `status`, `reason`, `message`
/// and the details of the denial. The same document is what the idempotency
/// record stores, so a replay decodes to exactly the original outcome.
struct LedgerOutcome: Decodable, Sendable {
    var ok: Bool
    var status: String?
    var reason: String?
    var message: String?
    var entryId: UUID?
    var holdId: UUID?
    var amountMicros: Int64?
    var currency: String?
    var createdAtUs: Int64?
    var expiresAtUs: Int64?
    var availableAfterMicros: Int64?
    var treasuryBalanceMicros: Int64?
    var agentBalanceMicros: Int64?
    var agentAvailableMicros: Int64?
    var capturedMicros: Int64?
    var releasedMicros: Int64?
    var refundedMicros: Int64?
    var totalRefundedMicros: Int64?
    var voidedHolds: Int64?
    var returnedMicros: Int64?
    var returnedTo: String?
    var counterpartBalanceMicros: Int64?
    var counterpartAvailableMicros: Int64?
    var rule: String?
    var headroomMicros: Int64?
    var headroomCount: Int64?
    var remainingCount: Int64?
    var availableMicros: Int64?
    var refundableMicros: Int64?
    var holdAmountMicros: Int64?

    static func decode(_ text: String) throws(RPCError) -> LedgerOutcome {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(LedgerOutcome.self, from: Data(text.utf8))
        } catch {
            throw RPCError(.internal, "undecodable ledger outcome", reason: "internal")
        }
    }

    /// The denial this outcome carries, or `nil` when it succeeded.
    var denial: RPCError? {
        guard !ok else { return nil }
        let code = StatusCode(ledgerStatus: status ?? "") ?? .internal
        var details: [String: String] = [:]
        if let rule { details["rule"] = rule }
        if let headroomMicros { details["headroom_micros"] = String(headroomMicros) }
        if let headroomCount { details["headroom_count"] = String(headroomCount) }
        if let remainingCount { details["remaining_count"] = String(remainingCount) }
        if let availableMicros { details["available_micros"] = String(availableMicros) }
        if let refundableMicros { details["refundable_micros"] = String(refundableMicros) }
        if let holdAmountMicros { details["hold_amount_micros"] = String(holdAmountMicros) }
        return RPCError(code, message ?? "denied", reason: reason ?? "internal", details: details)
    }

    /// The outcome when it succeeded; its denial thrown otherwise.
    func accepted() throws(RPCError) -> LedgerOutcome {
        if let denial { throw denial }
        return self
    }

    func require<T>(_ value: T?, _ name: String) throws(RPCError) -> T {
        guard let value else {
            throw RPCError(.internal, "ledger outcome lacks \(name)", reason: "internal")
        }
        return value
    }
}
