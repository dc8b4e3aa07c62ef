import Foundation

/// A committed Fund: funding → treasury.
package struct FundReceipt: Sendable, Equatable {
    package var entryID: UUID
    package var amountMicros: Int64
    package var treasuryBalanceMicros: Int64
    package var currency: String
    package var createdAtUs: Int64
}

/// A committed Allocate (treasury → agent) or Reclaim (agent → treasury).
package struct TransferReceipt: Sendable, Equatable {
    package var entryID: UUID
    package var amountMicros: Int64
    package var agentBalanceMicros: Int64
    package var agentAvailableMicros: Int64
    package var treasuryBalanceMicros: Int64
    package var currency: String
    package var createdAtUs: Int64
    /// For a move within an agent tree: the ancestor's balance and available balance after it.
    package var counterpartBalanceMicros: Int64 = 0
    package var counterpartAvailableMicros: Int64 = 0
}

/// An approved authorization: the hold placed (or, for a Charge, placed and
/// captured at once, with the capture's entry).
package struct AuthorizationReceipt: Sendable, Equatable {
    package var holdID: UUID
    package var amountMicros: Int64
    package var expiresAtUs: Int64
    package var availableAfterMicros: Int64
    package var currency: String
    package var createdAtUs: Int64
    package var captureEntryID: UUID?
}

/// A committed capture: what was taken, what was released.
package struct CaptureReceipt: Sendable, Equatable {
    package var holdID: UUID
    package var entryID: UUID
    package var capturedMicros: Int64
    package var releasedMicros: Int64
    package var availableAfterMicros: Int64
    package var currency: String
    package var createdAtUs: Int64
}

/// A committed void.
package struct VoidReceipt: Sendable, Equatable {
    package var holdID: UUID
    package var releasedMicros: Int64
    package var availableAfterMicros: Int64
}

/// A committed refund.
package struct RefundReceipt: Sendable, Equatable {
    package var holdID: UUID
    package var entryID: UUID
    package var refundedMicros: Int64
    package var totalRefundedMicros: Int64
    package var availableAfterMicros: Int64
    package var currency: String
    package var createdAtUs: Int64
}

/// What freezing an agent's account did.
package struct FreezeReceipt: Sendable, Equatable {
    package var voidedHolds: Int64
    package var releasedMicros: Int64
    /// The balance moved out of the revoked account by this call (0 on a repeat).
    package var returnedMicros: Int64 = 0
    /// The agent that received it; `nil` for the treasury.
    package var returnedTo: UUID? = nil
}

/// An account's position at one instant.
package struct AccountBalance: Sendable, Equatable {
    package var accountID: UUID
    /// `funding`, `treasury` or `agent`.
    package var kind: String
    /// `active`, `frozen` or `revoked`.
    package var status: String
    package var currency: String
    package var balanceMicros: Int64
    package var heldMicros: Int64
    package var availableMicros: Int64 { balanceMicros - heldMicros }
    package var asOfUs: Int64
    /// The `agent.balance_low` threshold (0 = off).
    package var balanceLowMicros: Int64 = 0
}

/// One ledger entry: `amountMicros` moved from `debitAccount` to `creditAccount`.
package struct LedgerEntry: Sendable, Equatable {
    package var entryID: UUID
    /// Position in the tenant's history (paging key; not commit order).
    package var sequence: Int64
    /// `fund`, `allocate`, `reclaim`, `capture`, `refund` or `transfer` (agent to agent).
    package var kind: String
    package var debitAccount: UUID
    package var creditAccount: UUID
    package var amountMicros: Int64
    package var currency: String
    package var agentID: UUID?
    package var providerID: UUID?
    package var category: String
    package var holdID: UUID?
    package var reference: String
    package var description: String
    package var createdAtUs: Int64
}

/// One invariant the audit found broken.
package struct AuditDiscrepancy: Sendable, Equatable, CustomStringConvertible {
    package var tenantID: UUID
    /// Which check failed, e.g. `balance_equals_entries`, `tenant_sums_to_zero`.
    package var check: String
    /// The account, hold or tenant the check is about.
    package var subject: String
    package var expected: Int64
    package var actual: Int64
    /// The expected or the actual amount does not fit in 64 bits (both are then 0).
    package var outOfRange = false

    package var description: String {
        outOfRange ? "\(check) \(subject): an amount past 64 bits" : "\(check) \(subject): expected \(expected), found \(actual)"
    }
}
