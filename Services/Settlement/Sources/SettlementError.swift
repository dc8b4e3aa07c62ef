import PurserRPC
import PurserService

/// The one error type of the Settlement service: a status class, a stable
/// snake_case `reason` (sent as `reason` metadata) and a message for people.
package struct SettlementError: Error, Sendable, Hashable, CustomStringConvertible {
    /// How the edge answers.
    package enum Kind: Sendable, Hashable {
        case invalidArgument, notFound, failedPrecondition, unavailable
    }

    package let kind: Kind
    package let reason: String
    package let message: String

    /// An error of `kind` with a stable `reason` and a message naming what is wrong.
    package init(_ kind: Kind, reason: String, _ message: String) {
        self.kind = kind
        self.reason = reason
        self.message = message
    }

    package var description: String { "\(reason): \(message)" }

    /// A malformed period (`period_invalid`).
    package static func periodInvalid(_ message: String) -> SettlementError {
        SettlementError(.invalidArgument, reason: "period_invalid", message)
    }

    /// A malformed request field, named in `message` (`invalid_argument`).
    package static func invalidArgument(_ message: String) -> SettlementError {
        SettlementError(.invalidArgument, reason: "invalid_argument", message)
    }

    /// An unknown id, or one outside the caller's reach (`not_found`).
    package static let notFound = SettlementError(.notFound, reason: "not_found", "not found")

    /// The period overlaps an already settled period with other bounds (`period_overlaps`).
    package static func periodOverlaps(_ other: SettlementPeriod) -> SettlementError {
        SettlementError(.failedPrecondition, reason: "period_overlaps", "the period overlaps the settled period \(other)")
    }

    /// Only closed batches can be marked paid (`batch_not_closed`).
    package static let batchNotClosed = SettlementError(
        .failedPrecondition, reason: "batch_not_closed", "the batch's period has not been closed yet")

    /// The batch was already paid with another reference (`batch_already_paid`).
    package static let batchAlreadyPaid = SettlementError(
        .failedPrecondition, reason: "batch_already_paid", "the batch was already paid with another external reference")

    /// The capture feed sent an entry Settlement refuses to store (`feed_entry_invalid`).
    package static func feedEntryInvalid(_ message: String) -> SettlementError {
        SettlementError(.failedPrecondition, reason: "feed_entry_invalid", message)
    }

    /// A total `what` names does not fit in a signed 64-bit count of micros
    /// (`total_out_of_range`): it cannot be answered exactly, so it is refused.
    package static func totalOutOfRange(_ what: String) -> SettlementError {
        SettlementError(
            .failedPrecondition, reason: "total_out_of_range", "\(what) does not fit in a signed 64-bit count of micros")
    }

    /// The ledger's totals could not be fetched (`ledger_unavailable`).
    package static func ledgerUnavailable(_ message: String) -> SettlementError {
        SettlementError(.unavailable, reason: "ledger_unavailable", message)
    }
}

extension SettlementError: RPCErrorConvertible {
    /// INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION or UNAVAILABLE with `reason`.
    package var rpcError: RPCError {
        switch kind {
        case .invalidArgument: RPCError(.invalidArgument, message, reason: reason)
        case .notFound: RPCError(.notFound, message, reason: reason)
        case .failedPrecondition: RPCError(.failedPrecondition, message, reason: reason)
        case .unavailable: RPCError(.unavailable, message, reason: reason)
        }
    }
}
