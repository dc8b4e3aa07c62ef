import Foundation

/// A committed Fund: funding → treasury.
public struct FundReceipt: Sendable, Equatable {
    public var entryID: UUID
    public var amountMicros: Int64
    public var treasuryBalanceMicros: Int64
    public var currency: String
    public var createdAtUs: Int64
}

/// A committed Allocate (treasury → agent) or Reclaim (agent → treasury).
public struct TransferReceipt: Sendable, Equatable {
    public var entryID: UUID
    public var amountMicros: Int64
    public var agentBalanceMicros: Int64
    public var agentAvailableMicros: Int64
    public var treasuryBalanceMicros: Int64
    public var currency: String
    public var createdAtUs: Int64
}

/// An approved authorization: the hold placed (or, for a Charge, placed and
/// captured at once, with the capture's entry).
public struct AuthorizationReceipt: Sendable, Equatable {
    public var holdID: UUID
    public var amountMicros: Int64
    public var expiresAtUs: Int64
    public var availableAfterMicros: Int64
    public var currency: String
    public var createdAtUs: Int64
    public var captureEntryID: UUID?
}

/// A committed capture: what was taken, what was released.
public struct CaptureReceipt: Sendable, Equatable {
    public var holdID: UUID
    public var entryID: UUID
    public var capturedMicros: Int64
    public var releasedMicros: Int64
    public var availableAfterMicros: Int64
    public var currency: String
    public var createdAtUs: Int64
}

/// A committed void.
public struct VoidReceipt: Sendable, Equatable {
    public var holdID: UUID
    public var releasedMicros: Int64
    public var availableAfterMicros: Int64
}

/// A committed refund.
public struct RefundReceipt: Sendable, Equatable {
    public var holdID: UUID
    public var entryID: UUID
    public var refundedMicros: Int64
    public var totalRefundedMicros: Int64
    public var availableAfterMicros: Int64
    public var currency: String
    public var createdAtUs: Int64
}

/// What freezing an agent's account did.
public struct FreezeReceipt: Sendable, Equatable {
    public var voidedHolds: Int64
    public var releasedMicros: Int64
}

/// An account's position at one instant.
public struct AccountBalance: Sendable, Equatable {
    public var accountID: UUID
    /// `funding`, `treasury` or `agent`.
    public var kind: String
    /// `active`, `frozen` or `revoked`.
    public var status: String
    public var currency: String
    public var balanceMicros: Int64
    public var heldMicros: Int64
    public var availableMicros: Int64 { balanceMicros - heldMicros }
    public var asOfUs: Int64
}

/// One ledger entry: `amountMicros` moved from `debitAccount` to `creditAccount`.
public struct LedgerEntry: Sendable, Equatable {
    public var entryID: UUID
    /// Position in the tenant's history (paging key; not commit order).
    public var sequence: Int64
    /// `fund`, `allocate`, `reclaim`, `capture` or `refund`.
    public var kind: String
    public var debitAccount: UUID
    public var creditAccount: UUID
    public var amountMicros: Int64
    public var currency: String
    public var agentID: UUID?
    public var providerID: UUID?
    public var category: String
    public var holdID: UUID?
    public var reference: String
    public var description: String
    public var createdAtUs: Int64
}

/// One invariant the audit found broken.
public struct AuditDiscrepancy: Sendable, Equatable, CustomStringConvertible {
    public var tenantID: UUID
    /// Which check failed, e.g. `balance_equals_entries`, `tenant_sums_to_zero`.
    public var check: String
    /// The account, hold or tenant the check is about.
    public var subject: String
    public var expected: Int64
    public var actual: Int64
    /// The expected or the actual amount does not fit in 64 bits (both are then 0).
    public var outOfRange = false

    public var description: String {
        outOfRange ? "\(check) \(subject): an amount past 64 bits" : "\(check) \(subject): expected \(expected), found \(actual)"
    }
}
