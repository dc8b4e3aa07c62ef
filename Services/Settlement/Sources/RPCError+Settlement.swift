import PurserRPC

/// The Settlement service's own refusals, each with its status and stable `reason`.
extension RPCError {
    /// A malformed period: INVALID_ARGUMENT `period_invalid`.
    package static func periodInvalid(_ message: String) -> RPCError {
        RPCError(.invalidArgument, message, reason: "period_invalid")
    }

    /// The period overlaps an already settled period with other bounds: FAILED_PRECONDITION `period_overlaps`.
    package static func periodOverlaps(_ other: SettlementPeriod) -> RPCError {
        RPCError(.failedPrecondition, "the period overlaps the settled period \(other)", reason: "period_overlaps")
    }

    /// Only closed batches can be marked paid: FAILED_PRECONDITION `batch_not_closed`.
    package static let batchNotClosed = RPCError(
        .failedPrecondition, "the batch's period has not been closed yet", reason: "batch_not_closed")

    /// The batch was already paid with another reference: FAILED_PRECONDITION `batch_already_paid`.
    package static let batchAlreadyPaid = RPCError(
        .failedPrecondition, "the batch was already paid with another external reference", reason: "batch_already_paid")

    /// The capture feed sent an entry Settlement refuses to store: FAILED_PRECONDITION `feed_entry_invalid`.
    package static func feedEntryInvalid(_ message: String) -> RPCError {
        RPCError(.failedPrecondition, message, reason: "feed_entry_invalid")
    }

    /// A total `what` names does not fit in a signed 64-bit count of micros: it
    /// cannot be answered exactly, so it is refused (FAILED_PRECONDITION `total_out_of_range`).
    package static func totalOutOfRange(_ what: String) -> RPCError {
        RPCError(
            .failedPrecondition, "\(what) does not fit in a signed 64-bit count of micros",
            reason: "total_out_of_range")
    }

    /// The ledger's totals could not be fetched: UNAVAILABLE `ledger_unavailable`.
    package static func ledgerUnavailable(_ message: String, cause: (any Error)? = nil) -> RPCError {
        RPCError(.unavailable, message, reason: "ledger_unavailable", cause: cause)
    }
}
