import PurserAPI
import PurserRPC

/// What `MarkBatchPaid` does to a batch, decided without I/O.
package enum PaymentDecision: Sendable, Equatable {
    /// Record the payment: the batch becomes paid with this reference.
    case markPaid
    /// Already paid with the same reference: answer the batch unchanged.
    case alreadyPaid
}

extension BatchState {
    /// The lifecycle rule of `MarkBatchPaid`: only a closed batch becomes paid; a
    /// paid batch accepts the same reference again (idempotent replay) and
    /// refuses another; an open batch is refused.
    package func payment(reference: String, existingReference: String) throws(RPCError) -> PaymentDecision {
        switch self {
        case .closed:
            return .markPaid
        case .paid:
            guard reference == existingReference else { throw .batchAlreadyPaid }
            return .alreadyPaid
        default:
            throw .batchNotClosed
        }
    }

    /// The state a batch has after a run: closed when its period has ended by
    /// `nowUs`, open otherwise.
    package static func afterRun(periodEndUs: Int64, nowUs: Int64) -> BatchState {
        nowUs >= periodEndUs ? .closed : .open
    }
}
