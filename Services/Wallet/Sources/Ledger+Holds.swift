import Foundation
import PurserPostgres
import PurserRPC

extension Ledger {
    /// Captures `amountMicros` (the whole hold when `nil`) of a pending,
    /// unexpired hold and releases the rest, in one transaction. A hold
    /// captures at most once: later captures answer `hold_already_captured`;
    /// a voided or expired hold answers `hold_voided`/`hold_expired`. The
    /// released part gives its headroom back to the hold's spend counters.
    /// Idempotent by `scope`; anyone but the hold's payee gets `not_found`.
    package func capture(
        tenant: UUID, hold: UUID, amountMicros: Int64?, caller: HoldCaller, scope: IdempotencyScope
    ) async throws(RPCError) -> CaptureReceipt {
        let result = try await outcome(
            "SELECT wallet.capture($1, $2, $3, $4, $5::bigint, $6, $7::uuid)",
            [tenant, scope.principal, scope.key, hold, amountMicros, caller.kind, caller.id]
        ).accepted()
        return CaptureReceipt(
            holdID: hold,
            entryID: try result.require(result.entryId, "entry_id"),
            capturedMicros: try result.require(result.capturedMicros, "captured_micros"),
            releasedMicros: try result.require(result.releasedMicros, "released_micros"),
            availableAfterMicros: try result.require(result.availableAfterMicros, "available_after_micros"),
            currency: result.currency ?? "",
            createdAtUs: try result.require(result.createdAtUs, "created_at_us"))
    }

    /// Voids a pending, unexpired hold, releasing all of it and its headroom.
    /// Idempotent by `scope`; anyone but the hold's payee gets `not_found`.
    package func void(tenant: UUID, hold: UUID, caller: HoldCaller, scope: IdempotencyScope) async throws(RPCError) -> VoidReceipt {
        let result = try await outcome(
            "SELECT wallet.void($1, $2, $3, $4, $5, $6::uuid)",
            [tenant, scope.principal, scope.key, hold, caller.kind, caller.id]
        ).accepted()
        return VoidReceipt(
            holdID: hold,
            releasedMicros: try result.require(result.releasedMicros, "released_micros"),
            availableAfterMicros: try result.require(result.availableAfterMicros, "available_after_micros"))
    }

    /// Returns `amountMicros` (everything not yet refunded when `nil`) of a
    /// captured hold to its agent; refunds of one hold never exceed its
    /// capture (`refund_exceeds_capture`). Idempotent by `scope`; callers other
    /// than the payee or the operator get `not_found`. Counts toward the
    /// tenant's daily bound (`tenant_daily_limit_exceeded` beyond it).
    package func refund(
        tenant: UUID, hold: UUID, amountMicros: Int64?, reason: String, caller: HoldCaller, scope: IdempotencyScope
    ) async throws(RPCError) -> RefundReceipt {
        let result = try await outcome(
            "SELECT wallet.refund_bounded($1, $2, $3, $4, $5::bigint, $6, $7, $8::uuid, $9)",
            [tenant, scope.principal, scope.key, hold, amountMicros, reason, caller.kind, caller.id, tenantDailyMaximumMicros]
        ).accepted()
        return RefundReceipt(
            holdID: hold,
            entryID: try result.require(result.entryId, "entry_id"),
            refundedMicros: try result.require(result.refundedMicros, "refunded_micros"),
            totalRefundedMicros: try result.require(result.totalRefundedMicros, "total_refunded_micros"),
            availableAfterMicros: try result.require(result.availableAfterMicros, "available_after_micros"),
            currency: result.currency ?? "",
            createdAtUs: try result.require(result.createdAtUs, "created_at_us"))
    }

    /// Revokes the agent's account (creating it revoked if it never existed),
    /// voids its pending holds and moves its whole remaining balance to
    /// `returnTo`'s account (the nearest live ancestor), or to the treasury
    /// when `returnTo` is `nil` or revoked, in one transaction. From then on
    /// every authorization is denied `agent_revoked`. Idempotent: repeating it
    /// changes nothing and moves nothing.
    package func freeze(
        tenant: UUID, agent: UUID, currency: String, reason: String, returnTo: UUID? = nil
    ) async throws(RPCError) -> FreezeReceipt {
        let result = try await outcome(
            "SELECT wallet.freeze($1, $2, $3, $4, $5)", [tenant, agent, currency, reason, returnTo]).accepted()
        return FreezeReceipt(
            voidedHolds: result.voidedHolds ?? 0, releasedMicros: result.releasedMicros ?? 0,
            returnedMicros: result.returnedMicros ?? 0,
            returnedTo: (result.returnedTo ?? "").isEmpty ? nil : UUID(uuidString: result.returnedTo ?? ""))
    }
}
