import PurserAPI
import PurserRPC
import Testing
@testable import PurserSettlement

@Suite struct BatchStateTests {
    @Test func aClosedBatchBecomesPaid() throws {
        #expect(try BatchState.closed.payment(reference: "wire-1", existingReference: "") == .markPaid)
    }

    @Test func payingAgainWithTheSameReferenceIsAReplay() throws {
        #expect(try BatchState.paid.payment(reference: "wire-1", existingReference: "wire-1") == .alreadyPaid)
    }

    @Test func payingAgainWithAnotherReferenceIsRefused() {
        #expect(throws: RPCError.batchAlreadyPaid) {
            try BatchState.paid.payment(reference: "wire-2", existingReference: "wire-1")
        }
    }

    @Test(arguments: [BatchState.open, .unspecified, BatchState(rawValue: 9)])
    func onlyClosedBatchesCanBePaid(state: BatchState) {
        #expect(throws: RPCError.batchNotClosed) { try state.payment(reference: "wire-1", existingReference: "") }
    }

    @Test func batchesCloseOnlyOnceTheirPeriodHasEnded() {
        #expect(BatchState.afterRun(periodEndUs: 100, nowUs: 99) == .open)
        #expect(BatchState.afterRun(periodEndUs: 100, nowUs: 100) == .closed)
    }
}
